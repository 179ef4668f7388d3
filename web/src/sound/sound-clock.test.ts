import { describe, expect, it } from 'vitest';
import { SoundClock, type SoundClockTune } from './sound-clock.js';

const FRAME = 1024 / 48_000;
const TUNE: SoundClockTune = { reserveS: 0.005, marginS: 0.001, windowS: 4 };

/** Frames stamped on whole ms (as FLV does), frame i ready at `ready(i)` on the context's clock. */
function run(clock: SoundClock, count: number, ready: (i: number) => number, first = 0) {
  const out: Array<number | null> = [];
  for (let i = first; i < first + count; i++)
    out.push(clock.place(Math.round(i * FRAME * 1000) / 1000, FRAME, ready(i)));
  return out;
}

describe('SoundClock', () => {
  it('plays the first frame the reserve after it is ready and the next ones end to end', () => {
    const c = new SoundClock(TUNE);
    const at = run(c, 50, (i) => 10 + i * FRAME);
    expect(at[0]).toBeCloseTo(10.005, 6);
    // stamps are whole ms (21, 21, 22): the frames still follow each other sample for sample
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeCloseTo(FRAME, 9);
    expect(c.late + c.dropped).toBe(0);
    expect(c.leadS).toBeCloseTo(0.005, 3);
  });

  it('a frame too late to start on time moves the clock later: a short silence, then on time again', () => {
    const c = new SoundClock(TUNE);
    const at = run(c, 10, (i) => 10 + i * FRAME + (i === 5 ? 0.03 : 0));
    expect(c.late).toBe(1);
    // frame 5 starts the reserve after it came, not before
    expect(at[5]).toBeCloseTo(10 + 5 * FRAME + 0.035, 6);
    expect(at[5]! - at[4]!).toBeGreaterThan(FRAME + 0.02);
    // the ones after it follow it end to end and now have a lead of ~35 ms
    expect(at[6]! - at[5]!).toBeCloseTo(FRAME, 9);
    expect(c.leadS).toBeGreaterThan(0.03);
  });

  it('shrinks back when every frame of a window came early enough, leaving frames out to do it', () => {
    const c = new SoundClock(TUNE);
    // one late frame adds 60 ms; the next 5 s of frames are all on time
    const count = Math.ceil(6 / FRAME);
    run(c, count, (i) => 10 + i * FRAME + (i === 3 ? 0.06 : 0));
    expect(c.late).toBe(1);
    expect(c.dropped).toBeGreaterThanOrEqual(2);
    // back within a frame of the reserve
    expect(c.leadS).toBeLessThan(0.005 + FRAME);
  });

  it('keeps a lead that covers the slowest frame of the window (jitter), not more', () => {
    const c = new SoundClock(TUNE);
    const jitter = (i: number) => ((i * 7919) % 13) / 1000; // 0-12 ms, spread over the frames
    const count = Math.ceil(12 / FRAME);
    const at = run(c, count, (i) => 10 + i * FRAME + jitter(i));
    const ready = (i: number) => 10 + i * FRAME + jitter(i);
    // nothing plays before it was ready plus the margin, after the first late ones settled it
    for (let i = Math.ceil(5 / FRAME); i < count; i++)
      if (at[i] !== null) expect(at[i]! - ready(i)).toBeGreaterThanOrEqual(0.001 - 1e-9);
    // and the lead of an on-time frame stays under the jitter's range plus a frame and the reserve
    expect(c.leadS).toBeLessThan(0.012 + FRAME + 0.005);
  });

  it('leaves out a frame a whole frame behind the sound already scheduled', () => {
    const c = new SoundClock(TUNE);
    const at = run(c, 5, (i) => 10 + i * FRAME);
    const again = c.place(Math.round(2 * FRAME * 1000) / 1000, FRAME, 10 + 5 * FRAME);
    expect(again).toBeNull();
    expect(c.dropped).toBe(1);
    // the next frame in order goes on where the sound is
    const next = c.place(Math.round(5 * FRAME * 1000) / 1000, FRAME, 10 + 5 * FRAME);
    expect(next).toBeCloseTo(at[4]! + FRAME, 9);
  });

  it('starts afresh on a jump of a second or more (a publisher restart, the sound woke up)', () => {
    const c = new SoundClock(TUNE);
    run(c, 5, (i) => 10 + i * FRAME, Math.round(100 / FRAME));
    // the stream restarts near zero while the context clock goes on
    expect(c.place(0.5, FRAME, 20)).toBeCloseTo(20.005, 6);
    // and forward: the sound slept for 3 s
    expect(c.place(3.6, FRAME, 23.2)).toBeCloseTo(23.205, 6);
    expect(c.late + c.dropped).toBe(0);
  });
});
