import { describe, expect, it } from 'vitest';
import { encodeKeyEvent, encodePointerEvent, encodeQemuKeyEvent, KEYSYM } from './rfb-messages.js';
import { MAX_HELD_KEYS } from './held-input.js';
import { MAX_CUT_TEXT_BYTES, RFB_HANDSHAKE, RfbClientParser, RfbProtocolError } from './rfb-client-parser.js';

type Msg = { type: number; bytes: number[] };

const u16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const u32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const ascii = (s: string) => [...Buffer.from(s, 'latin1')];

/** One client message of every kind the gate frames, as noVNC would send them. */
const MESSAGES: Msg[] = [
  { type: 0, bytes: [0, 0, 0, 0, 32, 24, 0, 1, ...u16(255), ...u16(255), ...u16(255), 0, 8, 16, 0, 0, 0] },
  { type: 2, bytes: [2, 0, ...u16(3), ...u32(7), ...u32(0), ...u32(-223 >>> 0)] },
  { type: 2, bytes: [2, 0, ...u16(0)] },
  { type: 3, bytes: [3, 1, ...u16(0), ...u16(0), ...u16(1280), ...u16(720)] },
  { type: 4, bytes: [...encodeKeyEvent(true, KEYSYM.shiftL)] },
  { type: 5, bytes: [...encodePointerEvent(1, 100, 200)] },
  { type: 6, bytes: [6, 0, 0, 0, ...u32(5), ...ascii('hello')] },
  { type: 6, bytes: [6, 0, 0, 0, ...u32(0)] },
  // extended clipboard: negative length, |length| bytes follow
  { type: 6, bytes: [6, 0, 0, 0, ...u32(-4 >>> 0), 0x10, 0, 0, 1] },
  { type: 150, bytes: [150, 1, ...u16(0), ...u16(0), ...u16(1280), ...u16(720)] },
  { type: 248, bytes: [248, 0, 0, 0, ...u32(0x80000003), 3, 1, 2, 3] },
  { type: 248, bytes: [248, 0, 0, 0, ...u32(0), 0] },
  { type: 250, bytes: [250, 0, 1, 2] },
  {
    type: 251,
    bytes: [
      251,
      0,
      ...u16(800),
      ...u16(600),
      1,
      0,
      ...u32(0),
      ...u16(0),
      ...u16(0),
      ...u16(800),
      ...u16(600),
      ...u32(0),
    ],
  },
  { type: 255, bytes: [...encodeQemuKeyEvent(true, KEYSYM.a, 0x1e)] },
  { type: 4, bytes: [...encodeKeyEvent(true, KEYSYM.controlL)] },
  { type: 5, bytes: [...encodePointerEvent(0, 101, 201)] },
];

const HANDSHAKE_38: Msg[] = [
  { type: RFB_HANDSHAKE.protocolVersion, bytes: ascii('RFB 003.008\n') },
  { type: RFB_HANDSHAKE.securityType, bytes: [1] },
  { type: RFB_HANDSHAKE.clientInit, bytes: [1] },
];

function collect(): { parser: RfbClientParser; out: Msg[]; raw: Buffer[] } {
  const out: Msg[] = [];
  const raw: Buffer[] = [];
  const parser = new RfbClientParser((msg, type) => {
    raw.push(msg);
    out.push({ type, bytes: [...msg] });
  });
  return { parser, out, raw };
}

function feed(parser: RfbClientParser, stream: Buffer, cuts: number[]): void {
  let prev = 0;
  for (const cut of [...cuts, stream.length]) {
    parser.push(stream.subarray(prev, cut));
    prev = cut;
  }
}

/** Deterministic PRNG so a failing split can be reproduced. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('RfbClientParser', () => {
  const all = [...HANDSHAKE_38, ...MESSAGES];
  const stream = Buffer.from(all.flatMap((m) => m.bytes));

  it('frames a 3.8 handshake and every message type from one chunk', () => {
    const { parser, out } = collect();
    parser.push(stream);
    expect(out).toEqual(all);
    expect(parser.minorVersion).toBe(8);
    expect(parser.partialBytes).toBe(0);
  });

  it('frames the same stream from 1-byte chunks', () => {
    const { parser, out } = collect();
    for (let i = 0; i < stream.length; i++) parser.push(stream.subarray(i, i + 1));
    expect(out).toEqual(all);
  });

  it('frames the same stream at every single split point and at random multi-way splits', () => {
    for (let cut = 1; cut < stream.length; cut++) {
      const { parser, out } = collect();
      feed(parser, stream, [cut]);
      expect(out, `cut at ${cut}`).toEqual(all);
    }
    const rand = rng(42);
    for (let round = 0; round < 300; round++) {
      const cuts = new Set<number>();
      const n = 1 + Math.floor(rand() * 20);
      for (let i = 0; i < n; i++) cuts.add(1 + Math.floor(rand() * (stream.length - 1)));
      const sorted = [...cuts].sort((a, b) => a - b);
      const { parser, out } = collect();
      feed(parser, stream, sorted);
      expect(out, `cuts ${sorted.join(',')}`).toEqual(all);
    }
  });

  it('hands on the chunk itself when it is one message, and views (not copies) of larger chunks', () => {
    const { parser, raw } = collect();
    parser.push(Buffer.from(HANDSHAKE_38.flatMap((m) => m.bytes)));
    const one = encodeKeyEvent(true, KEYSYM.a);
    parser.push(one);
    expect(raw.at(-1)).toBe(one);
    const two = Buffer.concat([encodePointerEvent(0, 1, 2), encodePointerEvent(1, 1, 2)]);
    parser.push(two);
    expect(raw.at(-1)?.buffer).toBe(two.buffer);
    expect(raw.at(-2)?.buffer).toBe(two.buffer);
  });

  it('handles the 3.3 handshake: no security byte, ClientInit right after the version', () => {
    const { parser, out } = collect();
    parser.push(Buffer.from([...ascii('RFB 003.003\n'), 1, ...encodeKeyEvent(true, KEYSYM.a)]));
    expect(out.map((m) => m.type)).toEqual([RFB_HANDSHAKE.protocolVersion, RFB_HANDSHAKE.clientInit, 4]);
    expect(parser.minorVersion).toBe(3);
    expect(parser.isHandshakeDone).toBe(true);
  });

  it('handles the 3.7 handshake like 3.8 on the client side', () => {
    const { parser, out } = collect();
    parser.push(Buffer.from([...ascii('RFB 003.007\n'), 1, 0]));
    expect(out.map((m) => m.type)).toEqual([
      RFB_HANDSHAKE.protocolVersion,
      RFB_HANDSHAKE.securityType,
      RFB_HANDSHAKE.clientInit,
    ]);
  });

  it('refuses security types other than None, and keeps refusing', () => {
    const { parser, out } = collect();
    expect(() => parser.push(Buffer.from([...ascii('RFB 003.008\n'), 2]))).toThrow(/security type 2 refused/);
    expect(out).toHaveLength(1);
    expect(() => parser.push(Buffer.from([1]))).toThrow(RfbProtocolError);
  });

  it('refuses unknown protocol versions', () => {
    const { parser } = collect();
    expect(() => parser.push(Buffer.from(ascii('RFB 004.000\n')))).toThrow(/unsupported ProtocolVersion/);
  });

  it('refuses unknown message types without forwarding them', () => {
    const { parser, out } = collect();
    parser.push(Buffer.from(HANDSHAKE_38.flatMap((m) => m.bytes)));
    expect(() => parser.push(Buffer.from([...encodeKeyEvent(true, 1), 7, 0, 0, 0]))).toThrow(
      /unknown client message type 7/,
    );
    expect(out.map((m) => m.type)).toEqual([-1, -2, -3, 4]);
    expect(() => parser.push(Buffer.from([255, 1, 0, 0]))).toThrow(RfbProtocolError);
  });

  it('refuses unknown QEMU sub-types and oversized ClientCutText, even when split', () => {
    const start = () => {
      const c = collect();
      c.parser.push(Buffer.from(HANDSHAKE_38.flatMap((m) => m.bytes)));
      return c.parser;
    };
    const p1 = start();
    p1.push(Buffer.from([255]));
    expect(() => p1.push(Buffer.from([1]))).toThrow(/QEMU client message sub-type 1/);
    const p2 = start();
    p2.push(Buffer.from([6, 0, 0]));
    expect(() => p2.push(Buffer.from([0, ...u32(MAX_CUT_TEXT_BYTES + 1)]))).toThrow(/ClientCutText/);
    const p3 = start();
    expect(() => p3.push(Buffer.from([6, 0, 0, 0, ...u32(0x80000000)]))).toThrow(/ClientCutText/);
  });

  it('assembles a large ClientCutText across many chunks into one message', () => {
    const { parser, out } = collect();
    parser.push(Buffer.from(HANDSHAKE_38.flatMap((m) => m.bytes)));
    const text = Buffer.alloc(200_000, 0x61);
    const msg = Buffer.concat([Buffer.from([6, 0, 0, 0, ...u32(text.length)]), text]);
    for (let off = 0; off < msg.length; off += 4096) parser.push(msg.subarray(off, off + 4096));
    expect(out).toHaveLength(4);
    expect(Buffer.from(out[3]!.bytes).equals(msg)).toBe(true);
  });

  it('tracks pressed keysyms, QEMU keys, the button mask and the last position', () => {
    const { parser } = collect();
    parser.push(Buffer.from(HANDSHAKE_38.flatMap((m) => m.bytes)));
    parser.push(encodeKeyEvent(true, KEYSYM.shiftL));
    parser.push(encodeKeyEvent(true, KEYSYM.a));
    parser.push(encodeKeyEvent(true, KEYSYM.a)); // autorepeat: still one key
    parser.push(encodeKeyEvent(false, KEYSYM.a));
    parser.push(encodeQemuKeyEvent(true, KEYSYM.controlL, 0x1d));
    parser.push(encodePointerEvent(5, 300, 400));
    expect(parser.held.snapshot()).toEqual({
      keysyms: [KEYSYM.shiftL],
      qemuKeys: [[0x1d, KEYSYM.controlL]],
      buttonMask: 5,
      x: 300,
      y: 400,
    });
    parser.push(encodeQemuKeyEvent(false, KEYSYM.controlL, 0x1d));
    parser.push(encodeKeyEvent(false, KEYSYM.shiftL));
    parser.push(encodePointerEvent(0, 310, 410));
    expect(parser.held.isEmpty).toBe(true);
    expect(parser.held.encodeReleases()).toBeNull();
  });
});

describe('held keys are bounded', () => {
  const handshake = Buffer.from(HANDSHAKE_38.flatMap((m) => m.bytes));

  it(`${MAX_HELD_KEYS} keys may be held; one more ends the connection (the message is not passed on)`, () => {
    const { parser, out } = collect();
    parser.push(handshake);
    for (let k = 0; k < MAX_HELD_KEYS; k++) parser.push(Buffer.from(encodeKeyEvent(true, 0x1000 + k)));
    // pressing a key already held again, or releasing one, is fine at the cap
    parser.push(Buffer.from(encodeKeyEvent(true, 0x1000)));
    expect(parser.held.keyCount).toBe(MAX_HELD_KEYS);
    const passed = out.length;
    expect(() => parser.push(Buffer.from(encodeKeyEvent(true, 0x9999)))).toThrow(
      new RfbProtocolError(`more than ${MAX_HELD_KEYS} keys held down at once`),
    );
    expect(out.length).toBe(passed);
    expect(parser.held.keyCount).toBe(MAX_HELD_KEYS);
  });

  it('QEMU extended key events count against the same cap', () => {
    const { parser } = collect();
    parser.push(handshake);
    for (let k = 0; k < MAX_HELD_KEYS; k++) parser.push(Buffer.from(encodeQemuKeyEvent(true, 0x61, 100 + k)));
    // a release frees a place at the cap
    parser.push(Buffer.from(encodeQemuKeyEvent(false, 0x61, 100)));
    parser.push(Buffer.from(encodeQemuKeyEvent(true, 0x61, 5000)));
    expect(parser.held.keyCount).toBe(MAX_HELD_KEYS);
    expect(() => parser.push(Buffer.from(encodeQemuKeyEvent(true, 0x61, 9999)))).toThrow(RfbProtocolError);
  });
});
