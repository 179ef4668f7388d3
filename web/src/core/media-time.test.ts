import { describe, expect, it } from 'vitest';
import { formatBytes, formatMediaTime } from './media-time.js';

describe('formatMediaTime', () => {
  it('reads minutes and seconds, hours from an hour on', () => {
    expect(formatMediaTime(0)).toBe('0:00');
    expect(formatMediaTime(9.99)).toBe('0:09');
    expect(formatMediaTime(75)).toBe('1:15');
    expect(formatMediaTime(3599)).toBe('59:59');
    expect(formatMediaTime(3600)).toBe('1:00:00');
    expect(formatMediaTime(3723.4)).toBe('1:02:03');
  });

  it('reads NaN, Infinity and negatives as 0:00 (a live playlist has no duration)', () => {
    expect(formatMediaTime(Number.NaN)).toBe('0:00');
    expect(formatMediaTime(Infinity)).toBe('0:00');
    expect(formatMediaTime(-3)).toBe('0:00');
  });
});

describe('formatBytes', () => {
  it('picks a unit', () => {
    expect(formatBytes(0)).toBe('0 KB');
    expect(formatBytes(200)).toBe('1 KB');
    expect(formatBytes(850_000)).toBe('850 KB');
    expect(formatBytes(12_400_000)).toBe('12.4 MB');
    expect(formatBytes(1_234_000_000)).toBe('1.2 GB');
  });
});
