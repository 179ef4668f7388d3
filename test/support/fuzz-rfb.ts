import type { Rng } from './fuzz.js';

/**
 * Keysyms that make a terminal run what was typed: Return, KP_Enter, Linefeed, and Control (Ctrl+M,
 * Ctrl+J). The fuzz types into the room's real xterm: without these, what it types stays on the
 * command line and starts nothing, so "no leaked process" measures the agent, not random commands.
 */
const EXECUTING_KEYSYMS = new Set([0xff0d, 0xff8d, 0xff0a, 0xffe3, 0xffe4]);

function keysym(r: Rng): number {
  const k = r.pick([
    () => 0x20 + r.int(0x5f), // printable ASCII
    () => 0xffbe + r.int(12), // F1..F12
    () => r.pick([0xffe1, 0xffe2, 0xffe9, 0xffea, 0xffeb, 0xff1b, 0xff08, 0xff09, 0xff51, 0xff52, 0xffff]),
    () => r.int(2 ** 32), // mostly undefined keysyms
    () => 0x01000000 + r.int(0x10ffff), // Unicode keysyms
  ])();
  return EXECUTING_KEYSYMS.has(k) ? 0x61 : k;
}

const u16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n & 0xffff);
  return b;
};
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};

/** One RFB client message (RFC 6143 section 7.5), valid or spoiled: truncated, lying lengths, unknown types. */
export function rfbMessage(r: Rng): Buffer {
  const make = r.pick([
    // SetPixelFormat
    () =>
      Buffer.concat([
        Buffer.from([0, 0, 0, 0, r.pick([8, 16, 32, 0, 255, 24]), r.int(33), r.int(2), r.int(2)]),
        u16(r.int(65536)),
        u16(r.int(65536)),
        u16(r.int(65536)),
        Buffer.from([r.int(33), r.int(33), r.int(33), 0, 0, 0]),
      ]),
    // SetEncodings: sometimes announcing more encodings than it carries
    () => {
      const n = r.int(20);
      const encs = Array.from({ length: n }, () =>
        u32(r.pick([0, 1, 2, 5, 7, 16, -239, -223, r.int(2 ** 32)])),
      );
      return Buffer.concat([Buffer.from([2, 0]), u16(r.chance(0.1) ? 65535 : n), ...encs]);
    },
    // FramebufferUpdateRequest, any rectangle
    () =>
      Buffer.concat([
        Buffer.from([3, r.int(2)]),
        u16(r.int(65536)),
        u16(r.int(65536)),
        u16(r.int(65536)),
        u16(r.int(65536)),
      ]),
    // KeyEvent
    () => Buffer.concat([Buffer.from([4, r.int(3), 0, 0]), u32(keysym(r))]),
    // PointerEvent: every mask but the middle button (it would paste the selection into the shell)
    () => Buffer.concat([Buffer.from([5, r.int(256) & ~2]), u16(r.int(65536)), u16(r.int(65536))]),
    // ClientCutText: text without line ends; sometimes a lying or huge length, or an extended (negative) one
    () => {
      const text = Buffer.from(
        r.bytes(r.int(r.chance(0.05) ? 70_000 : 100)).map((b) => (b === 10 || b === 13 ? 32 : b)),
      );
      const len = r.pick([text.length, text.length + 10, 0x7fffffff, 0xffffffff, 0x80000010, 0]);
      return Buffer.concat([Buffer.from([6, 0, 0, 0]), u32(len), text]);
    },
    // extensions and unknown types
    () =>
      Buffer.concat([
        Buffer.from([r.pick([1, 7, 150, 248, 250, 251, 252, 253, 254, 255, r.int(256)])]),
        r.bytes(r.int(40)),
      ]),
  ]);
  const msg = make();
  // a tenth is cut short, a twentieth has one byte spoiled
  if (r.chance(0.1)) return msg.subarray(0, r.int(msg.length));
  if (r.chance(0.05) && msg.length) msg[r.int(msg.length)] = r.int(256);
  return msg;
}

/** Some RFB messages as WebSocket frames: concatenated, then split at random places. */
export function rfbFrames(r: Rng, messages: number): Buffer[] {
  const all = Buffer.concat(Array.from({ length: messages }, () => rfbMessage(r)));
  const frames: Buffer[] = [];
  let off = 0;
  while (off < all.length) {
    const n = r.chance(0.7) ? all.length - off : 1 + r.int(all.length - off);
    frames.push(all.subarray(off, off + n));
    off += n;
  }
  return frames;
}

/** What a client might send instead of the RFB handshake. */
export function rfbBadHandshake(r: Rng): Buffer {
  return r.pick([
    () => Buffer.from('RFB 003.003\n'),
    () => Buffer.from('RFB 009.999\n'),
    () => Buffer.from('GET / HTTP/1.1\r\n\r\n'),
    () => Buffer.from('RFB 003.008\n\u0002'), // a security type x11vnc did not offer
    () => r.bytes(r.int(64)),
    () => Buffer.alloc(0),
  ])();
}
