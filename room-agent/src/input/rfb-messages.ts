/**
 * Client-to-server RFB message types and pure encoders for the two messages the agent writes itself:
 * the key and button releases it injects when a controller loses control (RFC 6143, section 7.5).
 */

/** Client-to-server message types the gate knows how to frame (RFC 6143 7.5 and the extensions noVNC sends). */
export const RFB_CLIENT_MSG = {
  setPixelFormat: 0,
  setEncodings: 2,
  framebufferUpdateRequest: 3,
  keyEvent: 4,
  pointerEvent: 5,
  clientCutText: 6,
  enableContinuousUpdates: 150,
  clientFence: 248,
  xvp: 250,
  setDesktopSize: 251,
  /** QEMU client message; sub-type 0 is the extended key event (keysym + XT scancode) */
  qemu: 255,
} as const;

export const QEMU_SUBTYPE_EXTENDED_KEY_EVENT = 0;

export const KEY_EVENT_BYTES = 8;
export const POINTER_EVENT_BYTES = 6;
export const QEMU_EXTENDED_KEY_EVENT_BYTES = 12;

/** A few keysyms tests and debugging talk about (X11 keysymdef.h). */
export const KEYSYM = {
  shiftL: 0xffe1,
  controlL: 0xffe3,
  altL: 0xffe9,
  a: 0x0061,
} as const;

/** Writes a KeyEvent at `offset`; returns the offset after it. */
export function writeKeyEvent(buf: Buffer, offset: number, down: boolean, keysym: number): number {
  buf[offset] = RFB_CLIENT_MSG.keyEvent;
  buf[offset + 1] = down ? 1 : 0;
  buf.writeUInt16BE(0, offset + 2);
  buf.writeUInt32BE(keysym >>> 0, offset + 4);
  return offset + KEY_EVENT_BYTES;
}

/** Writes a PointerEvent at `offset`; returns the offset after it. */
export function writePointerEvent(
  buf: Buffer,
  offset: number,
  buttonMask: number,
  x: number,
  y: number,
): number {
  buf[offset] = RFB_CLIENT_MSG.pointerEvent;
  buf[offset + 1] = buttonMask & 0xff;
  buf.writeUInt16BE(x & 0xffff, offset + 2);
  buf.writeUInt16BE(y & 0xffff, offset + 4);
  return offset + POINTER_EVENT_BYTES;
}

/** Writes a QEMU extended KeyEvent at `offset`; returns the offset after it. */
export function writeQemuKeyEvent(
  buf: Buffer,
  offset: number,
  down: boolean,
  keysym: number,
  keycode: number,
): number {
  buf[offset] = RFB_CLIENT_MSG.qemu;
  buf[offset + 1] = QEMU_SUBTYPE_EXTENDED_KEY_EVENT;
  buf.writeUInt16BE(down ? 1 : 0, offset + 2);
  buf.writeUInt32BE(keysym >>> 0, offset + 4);
  buf.writeUInt32BE(keycode >>> 0, offset + 8);
  return offset + QEMU_EXTENDED_KEY_EVENT_BYTES;
}

export function encodeKeyEvent(down: boolean, keysym: number): Buffer {
  const buf = Buffer.allocUnsafe(KEY_EVENT_BYTES);
  writeKeyEvent(buf, 0, down, keysym);
  return buf;
}

export function encodePointerEvent(buttonMask: number, x: number, y: number): Buffer {
  const buf = Buffer.allocUnsafe(POINTER_EVENT_BYTES);
  writePointerEvent(buf, 0, buttonMask, x, y);
  return buf;
}

export function encodeQemuKeyEvent(down: boolean, keysym: number, keycode: number): Buffer {
  const buf = Buffer.allocUnsafe(QEMU_EXTENDED_KEY_EVENT_BYTES);
  writeQemuKeyEvent(buf, 0, down, keysym, keycode);
  return buf;
}

/**
 * The text of a whole ClientCutText message. Plain RFB cut text is Latin-1 (RFC 6143 7.5.6): a
 * standard client cannot send a character above U+00FF this way. The extended clipboard form (a
 * negative length) is only legal once the server announced the extension, which x11vnc does not:
 * null, for the caller to refuse.
 */
export function decodeClientCutText(msg: Buffer): string | null {
  if (msg.readInt32BE(4) < 0) return null;
  return msg.toString('latin1', 8);
}

export function encodeClientCutText(text: string): Buffer {
  const body = Buffer.from(text, 'latin1');
  const buf = Buffer.alloc(8 + body.length);
  buf[0] = RFB_CLIENT_MSG.clientCutText;
  buf.writeUInt32BE(body.length, 4);
  body.copy(buf, 8);
  return buf;
}
