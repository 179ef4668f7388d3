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

  it('keeps a lead that covers the slowest frame of the window (jitter), not more, and then nothing is late', () => {
    const c = new SoundClock(TUNE);
    const jitter = (i: number) => ((i * 7919) % 13) / 1000; // 0-12 ms, spread over the frames
    const settle = Math.ceil(5 / FRAME);
    run(c, settle, (i) => 10 + i * FRAME + jitter(i));
    const lateBefore = c.late;
    const leads: number[] = [];
    for (let i = settle; i < settle + Math.ceil(8 / FRAME); i++) {
      const ready = 10 + i * FRAME + jitter(i);
      const at = c.place(Math.round(i * FRAME * 1000) / 1000, FRAME, ready);
      if (at !== null) leads.push(at - ready);
    }
    // the jitter is bounded: once the window has seen its worst, no frame comes too late
    expect(c.late).toBe(lateBefore);
    // and no frame waits longer than the jitter's range, a frame and the reserve
    expect(Math.max(...leads)).toBeLessThan(0.012 + FRAME + 0.005);
    expect(Math.min(...leads)).toBeGreaterThanOrEqual(0.001);
  });

  it('leaves out a frame half a frame or more behind the sound already scheduled', () => {
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
    const first = Math.round(100 / FRAME);
    run(c, 5, (i) => 10 + (i - first) * FRAME, first);
    // the stream restarts near zero while the context clock goes on
    expect(c.place(0.5, FRAME, 20)).toBeCloseTo(20.005, 6);
    // and forward: the sound slept for 3 s
    expect(c.place(3.6, FRAME, 23.2)).toBeCloseTo(23.205, 6);
    expect(c.late + c.dropped).toBe(0);
  });

  it('a new timeline starts after what is still scheduled of the old one, not over it', () => {
    const c = new SoundClock({ ...TUNE, reserveS: 0.05 });
    // five frames in one burst: scheduled up to ~150 ms ahead
    const at = run(c, 5, () => 10);
    const oldEnd = at[4]! + FRAME;
    // the publisher restarted (its stamps jumped): its first frame comes while the old sound plays on
    expect(c.place(50, FRAME, 10.001)).toBeCloseTo(oldEnd, 9);
  });

  it('restart(): the next frame sets the clock again (the context stood still while suspended)', () => {
    const c = new SoundClock(TUNE);
    run(c, 5, (i) => 10 + i * FRAME);
    c.restart();
    // 0.6 s of stream later, the context's clock has not moved: the frame is not scheduled 0.6 s ahead
    const stamp = Math.round((5 * FRAME + 0.6) * 1000) / 1000;
    expect(c.place(stamp, FRAME, 10.2)).toBeCloseTo(10.205, 6);
    expect(c.late).toBe(0);
  });
});
