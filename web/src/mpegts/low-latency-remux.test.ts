import { describe, expect, it } from 'vitest';
import { audioDrift, catchUpShiftMs } from './low-latency-remux.js';

describe('catchUpShiftMs (a frame after a gap moves back towards the playhead)', () => {
  it('moves a frame that would wait behind a playhead long past the previous frame to playhead + margin', () => {
    // a still screen: the last frame at 1000, the playhead stopped at 1100, the next frame stamped 1500
    expect(catchUpShiftMs(1500, 1000, 1100, 5, 33)).toBe(1500 - 1105);
  });

  it('keeps at least one frame interval after the previous frame', () => {
    // the playhead just past the previous frame: no closer than 1000 + 33
    expect(catchUpShiftMs(1500, 1000, 1010, 5, 33)).toBe(1500 - 1033);
    // the playhead has not reached the previous frame: the gap is cut to one interval, not waited out
    expect(catchUpShiftMs(1500, 1000, 900, 5, 33)).toBe(1500 - 1033);
  });

  it('leaves a steady stream alone (frames one interval apart)', () => {
    expect(catchUpShiftMs(1033, 1000, 990, 5, 33)).toBe(0);
    expect(catchUpShiftMs(1034, 1000, 960, 5, 33)).toBe(1);
  });

  it('moves a frame that arrives behind the playhead forward to playhead + margin', () => {
    expect(catchUpShiftMs(1090, 1000, 1100, 5, 33)).toBe(1090 - 1105);
    // within [playhead, playhead + margin]: as it is
    expect(catchUpShiftMs(1102, 1000, 1100, 5, 33)).toBe(0);
  });

  it('gives whole milliseconds', () => {
    expect(Number.isInteger(catchUpShiftMs(1500.7, 1000, 1100.2, 5, 33))).toBe(true);
    expect(Number.isInteger(catchUpShiftMs(1090.2, 1000, 1100.7, 5, 33))).toBe(true);
  });

  it('without a previous frame, only the playhead counts', () => {
    expect(catchUpShiftMs(300, null, 100, 5, 33)).toBe(195);
  });
});

describe('audioDrift (an AAC frame against the emitted, contiguous timeline)', () => {
  const frame = 1024 / 48;
  it('leaves whole-millisecond stamps of a steady stream alone', () => {
    let next = 0;
    for (const dts of [0, 21, 43, 64, 85, 107, 128]) {
      expect(audioDrift(dts, next, frame)).toBe(0);
      next += frame;
    }
  });
  it('asks for as many silent frames as the stream skipped', () => {
    expect(audioDrift(64 + 3 * frame, 64, frame)).toBe(3);
    expect(audioDrift(64 + 0.6 * frame, 64, frame)).toBe(1);
    expect(audioDrift(64 + 0.4 * frame, 64, frame)).toBe(0);
  });
  it('drops a frame a whole frame or more behind', () => {
    expect(audioDrift(64 - frame, 64, frame)).toBe(-1);
    expect(audioDrift(64 - 0.9 * frame, 64, frame)).toBe(0);
  });
  it('treats a jump of a second or more, either way, as a new timeline', () => {
    expect(audioDrift(5000, 64, frame)).toBe(0);
    expect(audioDrift(0, 2000, frame)).toBe(0);
  });
});
