import { describe, expect, it } from 'vitest';
import { StreamMeter } from './stream-meter.js';

/** An FLV tag as the media server builds it: 11-byte header, body, PreviousTagSize. */
function tag(type: number, timestampMs: number, body: number[], pad = 0): Buffer {
  const b = Buffer.alloc(11 + body.length + pad + 4);
  b[0] = type;
  b.writeUIntBE(body.length + pad, 1, 3);
  b[4] = (timestampMs >> 16) & 0xff;
  b[5] = (timestampMs >> 8) & 0xff;
  b[6] = timestampMs & 0xff;
  b[7] = (timestampMs >> 24) & 0xff;
  Buffer.from(body).copy(b, 11);
  return b;
}
const frame = (ts: number, pad = 100) => tag(9, ts, [0x27, 1, 0, 0, 0], pad);
const keyframe = (ts: number) => tag(9, ts, [0x17, 1, 0, 0, 0], 1000);
const sequenceHeader = () => tag(9, 0, [0x17, 0, 0, 0, 0], 30);
const audio = (ts: number) => tag(8, ts, [0xaf, 1], 200);

describe('StreamMeter', () => {
  it('counts video NAL units as frames, not sequence headers or audio, and every byte', () => {
    const now = 1_000_000;
    const m = new StreamMeter(() => now);
    const tags = [sequenceHeader(), keyframe(0), audio(10), frame(33), frame(66)];
    for (const t of tags) m.tag(t);
    expect(m.frames()).toBe(3);
    expect(m.bytes()).toBe(tags.reduce((n, t) => n + t.length, 0));
  });

  it('gives the bit rate over the last whole seconds', () => {
    let now = 2_000_000;
    const m = new StreamMeter(() => now);
    // 4 whole seconds of 10 tags of 1000 bytes each: 10 kB/s = 80 kbit/s
    for (let s = 0; s < 4; s++) {
      for (let i = 0; i < 10; i++) {
        m.tag(tag(8, s * 1000 + i * 100, [0xaf, 1], 1000 - 17));
        now += 100;
      }
    }
    expect(m.bitrate()).toBe(80_000);
    // nothing for a long while: the rate falls to 0
    now += 10_000;
    expect(m.bitrate()).toBe(0);
  });

  it('observes each frame’s delay above the fastest frame, and starts over on a new publish', () => {
    let now = 5_000_000;
    const m = new StreamMeter(() => now);
    // frame n is stamped at input time n*33 ms; the first takes 40 ms to arrive, the next 4 ms,
    // then 24 ms, then 4 ms again
    const delays = [40, 4, 24, 4];
    delays.forEach((d, n) => {
      now = 5_000_000 + n * 33 + d;
      m.tag(frame(n * 33));
    });
    const h = m.encodeSeconds.snapshot();
    expect(h.count).toBe(4);
    // 0 (first: its own baseline), 0, 0.020 (24 - 4), 0
    expect(h.sum).toBeCloseTo(0.02, 6);
    expect(h.counts[h.bounds.indexOf(0.002)]).toBe(3);
    expect(h.counts[h.bounds.indexOf(0.02)]).toBe(4);

    // the encoder restarts: its timestamps start at 0 again, much "later" than the old baseline
    m.published();
    now = 9_000_000;
    m.tag(frame(0));
    now += 33 + 5;
    m.tag(frame(33));
    const after = m.encodeSeconds.snapshot();
    expect(after.count).toBe(6);
    expect(after.sum).toBeCloseTo(0.025, 6);
  });
});
