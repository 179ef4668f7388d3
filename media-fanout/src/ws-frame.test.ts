import { describe, expect, it } from 'vitest';
import { TagFrames, wsBinaryFrame } from './ws-frame.js';

describe('wsBinaryFrame', () => {
  it("encodes the length at every encoding's edges (RFC 6455 5.2), then the payload", () => {
    const heads: Array<[number, number[]]> = [
      [0, [0x82, 0]],
      [125, [0x82, 125]],
      [126, [0x82, 126, 0, 126]],
      [65535, [0x82, 126, 0xff, 0xff]],
      [65536, [0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]],
      [300_000, [0x82, 127, 0, 0, 0, 0, 0, 0x04, 0x93, 0xe0]],
    ];
    for (const [n, head] of heads) {
      const payload = Buffer.alloc(n, n % 251);
      const frame = wsBinaryFrame(payload);
      expect([...frame.subarray(0, head.length)]).toEqual(head);
      expect(frame.subarray(head.length).equals(payload)).toBe(true);
    }
  });
});

describe('TagFrames', () => {
  it('frames a tag once for all viewers, and the next tag anew', () => {
    const frames = new TagFrames();
    frames.reset(Buffer.from([1, 2, 3]));
    const first = frames.ws();
    expect(frames.ws()).toBe(first);
    frames.reset(Buffer.from([4]));
    expect([...frames.ws()]).toEqual([0x82, 1, 4]);
    expect([...first]).toEqual([0x82, 3, 1, 2, 3]);
  });
});
