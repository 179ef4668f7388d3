import {
  KEY_EVENT_BYTES,
  POINTER_EVENT_BYTES,
  QEMU_EXTENDED_KEY_EVENT_BYTES,
  writeKeyEvent,
  writePointerEvent,
  writeQemuKeyEvent,
} from './rfb-messages.js';

/** A JSON-friendly copy of what a controller is holding down, for tests and debugging. */
export interface HeldInputSnapshot {
  /** keysyms pressed with plain KeyEvents, in press order */
  keysyms: number[];
  /** [keycode, keysym] pairs pressed with QEMU extended key events, in press order */
  qemuKeys: [number, number][];
  buttonMask: number;
  x: number;
  y: number;
}

/**
 * What one RFB client has pressed and not yet released. The X server keeps a key or button down until
 * it sees the release, so a controller who loses control mid-drag or mid-chord would leave the desktop
 * stuck for the next one: `encodeReleases()` builds the messages that undo it.
 */
/** Keys one controller may hold down at once: more is no keyboard, and each costs memory here. */
export const MAX_HELD_KEYS = 256;

export class HeldInput {
  private readonly keysyms = new Set<number>();
  /** keyed by scancode: a QEMU key may carry keysym 0 (NoSymbol), so the keycode is what identifies it */
  private readonly qemuKeys = new Map<number, number>();
  buttonMask = 0;
  x = 0;
  y = 0;
  /** whether any PointerEvent was seen: before that, x/y are not a real position */
  hasPointer = false;

  key(down: boolean, keysym: number): void {
    if (down) this.keysyms.add(keysym);
    else this.keysyms.delete(keysym);
  }

  qemuKey(down: boolean, keysym: number, keycode: number): void {
    if (down) this.qemuKeys.set(keycode, keysym);
    else this.qemuKeys.delete(keycode);
  }

  pointer(buttonMask: number, x: number, y: number): void {
    this.buttonMask = buttonMask;
    this.x = x;
    this.y = y;
    this.hasPointer = true;
  }

  /** keys held now (plain and QEMU) */
  get keyCount(): number {
    return this.keysyms.size + this.qemuKeys.size;
  }

  /** true when this press would hold one key more than MAX_HELD_KEYS */
  wouldOverflow(keysym: number | null, keycode: number | null): boolean {
    if (this.keyCount < MAX_HELD_KEYS) return false;
    return keycode === null ? !this.keysyms.has(keysym ?? -1) : !this.qemuKeys.has(keycode);
  }

  get isEmpty(): boolean {
    return this.keysyms.size === 0 && this.qemuKeys.size === 0 && this.buttonMask === 0;
  }

  /**
   * The releases for everything held, or null when nothing is. Buttons go first (a shift-drag ends
   * as a shift-drag), then keys in reverse press order (Ctrl+Alt+Del lets go of Del first).
   *
   * `freshClient`: for a new x11vnc connection instead of the one that pressed. x11vnc keeps a button
   * mask per client and injects only its changes, so a bare mask 0 from a new client releases
   * nothing; the held mask first (a press of what X already holds down), then 0, does. Should the old
   * client's release have reached X after all, this makes one click where the button went up.
   */
  encodeReleases(opts: { freshClient?: boolean } = {}): Buffer | null {
    if (this.isEmpty) return null;
    const pointerEvents = this.buttonMask === 0 ? 0 : opts.freshClient ? 2 : 1;
    const size =
      pointerEvents * POINTER_EVENT_BYTES +
      this.qemuKeys.size * QEMU_EXTENDED_KEY_EVENT_BYTES +
      this.keysyms.size * KEY_EVENT_BYTES;
    const buf = Buffer.allocUnsafe(size);
    let off = 0;
    if (pointerEvents === 2) off = writePointerEvent(buf, off, this.buttonMask, this.x, this.y);
    if (pointerEvents !== 0) off = writePointerEvent(buf, off, 0, this.x, this.y);
    for (const [keycode, keysym] of [...this.qemuKeys].reverse())
      off = writeQemuKeyEvent(buf, off, false, keysym, keycode);
    for (const keysym of [...this.keysyms].reverse()) off = writeKeyEvent(buf, off, false, keysym);
    return buf;
  }

  clear(): void {
    this.keysyms.clear();
    this.qemuKeys.clear();
    this.buttonMask = 0;
  }

  snapshot(): HeldInputSnapshot {
    return {
      keysyms: [...this.keysyms],
      qemuKeys: [...this.qemuKeys],
      buttonMask: this.buttonMask,
      x: this.x,
      y: this.y,
    };
  }
}
