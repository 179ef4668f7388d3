import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type RFB from '@novnc/novnc';
import { Backoff, PAGE_RECONNECT } from '../core/backoff.js';
import { pasteKeyOf, type PasteKey } from '../core/clipboard-keys.js';
import { StickyModifiers, type KeyStroke, type Modifier } from '../core/sticky-modifiers.js';
import { XK_BACKSPACE, editKeysyms } from '../core/text-input-keys.js';

/** The Keyboard Lock API (Chromium only; not in TypeScript's DOM types). */
interface KeyboardLock {
  lock?(codes?: string[]): Promise<void>;
  unlock?(): void;
}

/** Keys whose release does not end a sticky modifier's one-shot (they are modifiers themselves). */
const MODIFIER_KEY_NAMES = new Set(['Control', 'Alt', 'AltGraph', 'Shift', 'Meta', 'OS']);

/** A paste shortcut whose paste event does not come (an empty clipboard, an image) goes to the room after this. */
const PASTE_EVENT_WAIT_MS = 300;

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
  private pasteHandler: ((text: string) => Promise<boolean>) | null = null;
  private pasteSink: HTMLTextAreaElement | null = null;
  private pendingPaste: { key: PasteKey; timer: ReturnType<typeof setTimeout> } | null = null;

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
    // a paste under way is dropped (nothing to send it to), and the hidden field goes with the page
    if (this.pendingPaste) clearTimeout(this.pendingPaste.timer);
    this.pendingPaste = null;
    this.pasteSink?.removeEventListener('paste', this.onSinkPaste);
    this.pasteSink?.remove();
    this.pasteSink = null;
  }

  /** Where noVNC puts its (invisible) canvas; the element must sit exactly over the video picture. */
  attach(target: HTMLElement, url: () => string): void {
    this.listen(false);
    this.target = target;
    this.url = url;
    this.listen(true);
  }

  /**
   * Paste shortcuts over the picture (clipboard-keys.ts) hand the device's clipboard to `paste`
   * first, and reach the room once it resolved; null leaves them to noVNC (the room's own paste).
   */
  setPasteHandler(paste: ((text: string) => Promise<boolean>) | null): void {
    this.pasteHandler = paste;
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

  /**
   * The browser pastes into the focused element as the default action of the shortcut's keydown, and
   * the paste event carries the text without any permission prompt: the focus moves to a hidden field
   * for that one event (the held keys are released in the room on the way: onFocusOut), and noVNC
   * never sees the keydown.
   */
  private readonly onKeyDownFirst = (e: KeyboardEvent): void => {
    if (!this.pasteHandler || !this.rfb || this.phase !== 'active' || this.pendingPaste) return;
    const key = pasteKeyOf(e);
    if (!key) return;
    e.stopImmediatePropagation();
    const sink = this.sink();
    if (!sink) return;
    sink.value = '';
    sink.focus({ preventScroll: true });
    this.pendingPaste = { key, timer: setTimeout(() => this.endPaste(null), PASTE_EVENT_WAIT_MS) };
  };

  private readonly onSinkPaste = (e: ClipboardEvent): void => {
    e.preventDefault();
    this.endPaste(e.clipboardData?.getData('text/plain') ?? '');
  };

  /** Back to the picture; the text (if any) to the room's clipboard, then the shortcut to the room. */
  private endPaste(text: string | null): void {
    const pending = this.pendingPaste;
    if (!pending) return;
    this.pendingPaste = null;
    clearTimeout(pending.timer);
    this.focus();
    const handler = this.pasteHandler;
    const sent = text && handler ? handler(text) : Promise.resolve(false);
    // refused or not, the room gets the key the user pressed: its program pastes what it has
    void sent.then(() => this.tapChord(pending.key));
  }

  private tapChord(k: PasteKey): void {
    const rfb = this.rfb;
    if (!rfb) return;
    for (const m of k.modifiers) rfb.sendKey(m, null, true);
    rfb.sendKey(k.keysym, null);
    for (const m of [...k.modifiers].reverse()) rfb.sendKey(m, null, false);
  }

  /** A hidden field beside the picture (not inside noVNC's target, which it empties). */
  private sink(): HTMLTextAreaElement | null {
    if (this.pasteSink?.isConnected) return this.pasteSink;
    const parent = this.target?.parentElement;
    if (!parent) return null;
    const sink = document.createElement('textarea');
    sink.setAttribute('aria-hidden', 'true');
    sink.tabIndex = -1;
    sink.dataset.testid = 'paste-sink';
    sink.style.cssText = 'position:absolute;left:0;top:0;width:1px;height:1px;opacity:0;pointer-events:none;';
    sink.addEventListener('paste', this.onSinkPaste);
    parent.appendChild(sink);
    this.pasteSink = sink;
    return sink;
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
    // capture: before noVNC's listener on its canvas, which would cancel the browser's paste
    if (on) t.addEventListener('keydown', this.onKeyDownFirst, true);
    else t.removeEventListener('keydown', this.onKeyDownFirst, true);
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
