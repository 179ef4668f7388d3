import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { UNZOOMED, clampView, pinchView, type Point, type View } from '../core/view-zoom.js';

/** What noVNC's gesture handler (core/input/gesturehandler.js) puts in its events' `detail`. */
interface GestureDetail {
  type: 'onetap' | 'twotap' | 'threetap' | 'drag' | 'longpress' | 'twodrag' | 'pinch';
}

const GESTURE_EVENTS = ['gesturestart', 'gesturemove', 'gestureend'] as const;
const TOUCH_EVENTS = ['touchstart', 'touchmove', 'touchend', 'touchcancel'] as const;

/**
 * Pinch zoom of the stage while in control. noVNC recognises the gestures on its canvas (tap, drag,
 * long press, two-finger scroll, pinch) and sends a pinch to the room as Ctrl+wheel; here, listening
 * in the capture phase on the overlay (an ancestor of the canvas, so first), a pinch is taken out of
 * noVNC's hands and zooms the view instead: the picture and the overlay zoom together, so every other
 * gesture still lands under the finger. noVNC's pinch events carry only the fingers' distance, so the
 * fingers themselves are followed here too (their midpoint pans the view).
 */
export class PinchZoomController implements ReactiveController {
  view: View = UNZOOMED;
  /** each finger on the overlay: where it went down and where it is (stage px) */
  private readonly touches = new Map<number, { first: Point; last: Point }>();
  private pinch: { start: View; ids: [number, number]; a: Point; b: Point } | null = null;
  private overlay: HTMLElement | null = null;
  private stage: HTMLElement | null = null;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.listen(false);
  }

  /** `overlay` holds noVNC's canvas; `stage` is what the view zooms (touches are taken relative to it). */
  attach(overlay: HTMLElement, stage: HTMLElement): void {
    this.listen(false);
    this.overlay = overlay;
    this.stage = stage;
    this.listen(true);
  }

  /** Back to the whole picture. */
  reset(): void {
    this.setView(UNZOOMED);
  }

  /** The stage changed size: the view stays where it can. */
  fit(w: number, h: number): void {
    if (this.view.scale > 1) this.setView(clampView(this.view, w, h));
  }

  private listen(on: boolean): void {
    const o = this.overlay;
    if (!o) return;
    for (const t of TOUCH_EVENTS) {
      if (on) o.addEventListener(t, this.onTouch, { capture: true, passive: true });
      else o.removeEventListener(t, this.onTouch, { capture: true });
    }
    for (const g of GESTURE_EVENTS) {
      if (on) o.addEventListener(g, this.onGesture, { capture: true });
      else o.removeEventListener(g, this.onGesture, { capture: true });
    }
  }

  private readonly onTouch = (e: TouchEvent): void => {
    const origin = this.stage?.getBoundingClientRect();
    if (!origin) return;
    for (const t of Array.from(e.changedTouches)) {
      const at = { x: t.clientX - origin.left, y: t.clientY - origin.top };
      const known = this.touches.get(t.identifier);
      if (e.type === 'touchend' || e.type === 'touchcancel') this.touches.delete(t.identifier);
      else if (known && e.type === 'touchmove') known.last = at;
      else this.touches.set(t.identifier, { first: at, last: at });
    }
  };

  private readonly onGesture = (e: Event): void => {
    if ((e as CustomEvent<GestureDetail>).detail?.type !== 'pinch') return;
    // noVNC would send Ctrl+wheel to the room
    e.stopPropagation();
    if (e.type === 'gestureend') {
      this.pinch = null;
      return;
    }
    if (e.type === 'gesturestart') {
      // from where the fingers went down: noVNC tells a pinch only after they moved apart a little
      const [a, b] = [...this.touches.entries()];
      this.pinch = a && b ? { start: this.view, ids: [a[0], b[0]], a: a[1].first, b: b[1].first } : null;
    }
    const p = this.pinch;
    const a1 = p && this.touches.get(p.ids[0])?.last;
    const b1 = p && this.touches.get(p.ids[1])?.last;
    if (!p || !a1 || !b1 || !this.stage) return;
    this.setView(pinchView(p.start, p.a, p.b, a1, b1, this.stage.clientWidth, this.stage.clientHeight));
  };

  private setView(v: View): void {
    const o = this.view;
    if (v.scale === o.scale && v.x === o.x && v.y === o.y) return;
    this.view = v;
    this.host.requestUpdate();
  }
}
