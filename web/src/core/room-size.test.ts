import { describe, expect, it } from 'vitest';
import { ROOM_LIMITS } from '@boxroom/contracts';
import { fitSize, SIZE_PRESETS } from './room-size.js';

describe('room sizes', () => {
  it('fits a stage at 1:1, rounded down to even sizes', () => {
    expect(fitSize(1433, 801)).toEqual({ width: 1432, height: 800 });
  });

  it('stays within the limits the API checks', () => {
    expect(fitSize(100, 50)).toEqual({
      width: ROOM_LIMITS.width.minimum,
      height: ROOM_LIMITS.height.minimum,
    });
    expect(fitSize(9999, 9999)).toEqual({
      width: ROOM_LIMITS.width.maximum,
      height: ROOM_LIMITS.height.maximum,
    });
  });

  it('offers presets the API accepts', () => {
    for (const p of SIZE_PRESETS) {
      expect((p.width % 2) + (p.height % 2)).toBe(0);
      expect(p.width).toBeLessThanOrEqual(ROOM_LIMITS.width.maximum);
    }
  });
});
