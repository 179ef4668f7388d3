import { describe, expect, it } from 'vitest';
import { catchUpShiftMs } from './low-latency-remux.js';

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
