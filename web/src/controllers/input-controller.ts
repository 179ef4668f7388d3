import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type RFB from '@novnc/novnc';
import { Backoff, PAGE_RECONNECT } from '../core/backoff.js';
import { StickyModifiers, type KeyStroke, type Modifier } from '../core/sticky-modifiers.js';
import { XK_BACKSPACE, editKeysyms } from '../core/text-input-keys.js';

/** The Keyboard Lock API (Chromium only; not in TypeScript's DOM types). */
interface KeyboardLock {
  lock?(codes?: string[]): Promise<void>;
  unlock?(): void;
}

/** Keys whose release does not end a sticky modifier's one-shot (they are modifiers themselves). */
const MODIFIER_KEY_NAMES = new Set(['Control', 'Alt', 'AltGraph', 'Shift', 'Meta', 'OS']);

export type InputPhase = 'off' | 'connecting' | 'active' | 'retrying';

/**
 * The noVNC connection to WS /input: open only while this participant holds control. noVNC does not
 * tell why a socket closed, so the session channel decides: `setActive(false)` when control moved on
 * (the agent closes the old holder's socket with 4409), a reconnect with backoff when it closed while
 * we are still the holder (the agent restarting).
 */
export class InputController implements ReactiveController {
  phase: InputPhase = 'off';
  /** Ctrl and Alt latched from the touch key bar */
  readonly modifiers = new StickyModifiers();
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
    document.addEventListener('fullscreenchange', this.syncKeyboardLock);
  }

  hostDisconnected(): void {
    window.removeEventListener('blur', this.onWindowBlur);
    document.removeEventListener('fullscreenchange', this.syncKeyboardLock);
    this.setActive(false);
  }

  /** Where noVNC puts its (invisible) canvas; the element must sit exactly over the video picture. */
  attach(target: HTMLElement, url: () => string): void {
    this.listen(false);
    this.target = target;
    this.url = url;
    this.listen(true);
  }

  setActive(on: boolean): void {
    if (on === this.wanted) return;
    if (!on) this.releaseModifiers();
    this.wanted = on;
    this.syncKeyboardLock();
    if (on) {
      this.backoff.reset();
      void this.connect();
    } else {
      this.disconnect();
      this.setPhase('off');
    }
  }

  /** A key for the room (the key bar's Esc, Tab, arrows; the soft keyboard's text), with the latched modifiers. */
  tapKey(keysym: number, code: string): void {
    this.send(this.modifiers.tap(keysym, code));
  }

  /** The key bar's Ctrl or Alt: latched for the next key, locked, released. */
  toggleModifier(m: Modifier): void {
    this.send(this.modifiers.toggle(m));
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
    const tap = (keysym: number) => this.tapKey(keysym, '');
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

  private send(strokes: KeyStroke[]): void {
    for (const k of strokes) this.rfb?.sendKey(k.keysym, k.code, k.down);
    if (strokes.length > 0) this.host.requestUpdate();
  }

  private releaseModifiers(): void {
    this.send(this.modifiers.releaseAll());
  }

  private listen(on: boolean): void {
    const t = this.target;
    if (!t) return;
    if (on) t.addEventListener('focusout', this.onFocusOut);
    else t.removeEventListener('focusout', this.onFocusOut);
    // capture: noVNC stops these on its canvas
    for (const type of ['keyup', 'mouseup', 'gestureend']) {
      if (on) t.addEventListener(type, this.afterInput, { capture: true });
      else t.removeEventListener(type, this.afterInput, { capture: true });
    }
  }

  /**
   * A hardware key or a click went to the room with a one-shot modifier held: let it go once noVNC
   * has sent the event (its handler on the canvas runs after this capture listener).
   */
  private readonly afterInput = (e: Event): void => {
    if (e instanceof KeyboardEvent && MODIFIER_KEY_NAMES.has(e.key)) return;
    setTimeout(() => this.send(this.modifiers.keyDone()), 0);
  };

  /**
   * In fullscreen, Keyboard Lock (Chromium) gives the page the keys the browser and the system keep
   * for themselves (Escape, Tab and Alt+Tab, the Meta key), so they reach the room; leaving fullscreen
   * is then a long press on Escape, which Chromium tells the user.
   */
  private readonly syncKeyboardLock = (): void => {
    const kb = (navigator as Navigator & { keyboard?: KeyboardLock }).keyboard;
    if (this.wanted && document.fullscreenElement) void kb?.lock?.().catch(() => {});
    else kb?.unlock?.();
  };

  /** Keys are released when the page loses focus (noVNC sends the key-ups on the window's blur). */
  private readonly onWindowBlur = (): void => {
    this.rfb?.blur();
    this.releaseModifiers();
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
