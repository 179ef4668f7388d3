import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type RFB from '@novnc/novnc';
import { Backoff, PAGE_RECONNECT } from '../core/backoff.js';
import { XK_BACKSPACE, editKeysyms } from '../core/text-input-keys.js';

export type InputPhase = 'off' | 'connecting' | 'active' | 'retrying';

/**
 * The noVNC connection to WS /input: open only while this participant holds control. noVNC does not
 * tell why a socket closed, so the session channel decides: `setActive(false)` when control moved on
 * (the agent closes the old holder's socket with 4409), a reconnect with backoff when it closed while
 * we are still the holder (the agent restarting).
 */
export class InputController implements ReactiveController {
  phase: InputPhase = 'off';
  private rfb: RFB | null = null;
  private target: HTMLElement | null = null;
  private url: (() => string) | null = null;
  private wanted = false;
  private readonly backoff = new Backoff(PAGE_RECONNECT);
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private generation = 0;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {
    window.addEventListener('blur', this.onWindowBlur);
  }

  hostDisconnected(): void {
    window.removeEventListener('blur', this.onWindowBlur);
    this.setActive(false);
  }

  /** Where noVNC puts its (invisible) canvas; the element must sit exactly over the video picture. */
  attach(target: HTMLElement, url: () => string): void {
    this.target?.removeEventListener('focusout', this.onFocusOut);
    this.target = target;
    this.url = url;
    target.addEventListener('focusout', this.onFocusOut);
  }

  setActive(on: boolean): void {
    if (on === this.wanted) return;
    this.wanted = on;
    if (on) {
      this.backoff.reset();
      void this.connect();
    } else {
      this.disconnect();
      this.setPhase('off');
    }
  }

  /** Give noVNC the keyboard (it grabs keys only while its canvas has focus). */
  focus(): void {
    this.rfb?.focus({ preventScroll: true });
  }

  /**
   * A textarea whose edits reach the room as keys (Enter is its newline): what a phone's soft
   * keyboard types (Android's send keyCode 229 and composition events, which noVNC cannot map).
   * Returns the detach function.
   */
  attachTextInput(field: HTMLTextAreaElement): () => void {
    let shown = field.value;
    const tap = (keysym: number) => this.rfb?.sendKey(keysym, null);
    const onInput = (e: Event) => {
      for (const k of editKeysyms(shown, field.value)) tap(k);
      shown = field.value;
      // a finished line is in the room: start the next one empty so the field never grows
      if (shown.endsWith('\n') && !(e as InputEvent).isComposing) {
        field.value = '';
        shown = '';
      }
    };
    // Backspace in an empty field changes no value, so no input event tells about it
    const onKeyDown = (e: Event) => {
      if ((e as KeyboardEvent).key === 'Backspace' && field.value === '') tap(XK_BACKSPACE);
    };
    field.addEventListener('input', onInput);
    field.addEventListener('keydown', onKeyDown);
    return () => {
      field.removeEventListener('input', onInput);
      field.removeEventListener('keydown', onKeyDown);
    };
  }

  private async connect(): Promise<void> {
    const gen = ++this.generation;
    if (!this.target || !this.url) return;
    this.setPhase('connecting');
    const { default: RFBClass } = await import('@novnc/novnc');
    if (gen !== this.generation || !this.wanted || !this.target) return;
    const rfb = new RFBClass(this.target, this.url(), { shared: true });
    rfb.viewOnly = false;
    rfb.scaleViewport = true;
    rfb.resizeSession = false;
    rfb.showDotCursor = true;
    rfb.focusOnClick = true;
    rfb.background = 'transparent';
    rfb.qualityLevel = 0;
    rfb.compressionLevel = 9;
    this.rfb = rfb;
    rfb.addEventListener('connect', () => {
      if (gen !== this.generation) return;
      this.backoff.reset();
      this.setPhase('active');
      rfb.focus({ preventScroll: true });
    });
    rfb.addEventListener('disconnect', () => {
      if (gen !== this.generation) return;
      this.rfb = null;
      if (!this.wanted) return;
      this.setPhase('retrying');
      this.retryTimer = setTimeout(() => void this.connect(), this.backoff.next());
    });
  }

  private disconnect(): void {
    this.generation += 1;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const rfb = this.rfb;
    this.rfb = null;
    if (rfb) {
      try {
        rfb.disconnect();
      } catch {
        // already closed
      }
    }
    // noVNC removes its screen element on disconnect; clear anything left behind
    if (this.target) this.target.replaceChildren();
  }

  /** Keys are released when the page loses focus (noVNC sends the key-ups on the window's blur). */
  private readonly onWindowBlur = (): void => {
    this.rfb?.blur();
  };

  /**
   * noVNC releases held keys only when the window loses focus. When the focus moves within the page
   * (a click on the panel beside the video, Tab), the key-ups go to another element and the keys
   * stayed down in the room (measured: Shift and AltGr held after a click outside the video). Its
   * keyboard's release-all is not public: see novnc-internals.test.ts.
   */
  private readonly onFocusOut = (e: FocusEvent): void => {
    if (this.target && e.relatedTarget instanceof Node && this.target.contains(e.relatedTarget)) return;
    releaseAllKeys(this.rfb);
  };

  private setPhase(p: InputPhase): void {
    this.phase = p;
    this.host.requestUpdate();
  }
}

/** The part of noVNC's RFB (1.7) that is not public: its keyboard's "send key-up for every held key". */
export interface RfbKeyboardInternals {
  _keyboard?: { _allKeysUp?: () => void };
}

export function releaseAllKeys(rfb: RFB | null): void {
  (rfb as RfbKeyboardInternals | null)?._keyboard?._allKeysUp?.();
}
