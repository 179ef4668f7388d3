import { describe, expect, it } from 'vitest';
import { quotaLevel, quotaShare } from './quota-level.js';

describe('quota meter levels', () => {
  it('is ok below 80 %, near from 80 %, at the limit and over it; never anything without a limit', () => {
    expect(quotaLevel(0, 10)).toBe('ok');
    expect(quotaLevel(7.9, 10)).toBe('ok');
    expect(quotaLevel(8, 10)).toBe('near');
    expect(quotaLevel(10, 10)).toBe('at');
    expect(quotaLevel(12, 10)).toBe('at');
    expect(quotaLevel(0, 0)).toBe('at');
    expect(quotaLevel(1e12, null)).toBe('ok');
  });

  it('fills the bar by the share used, full at a limit of 0 and at most full', () => {
    expect(quotaShare(1, 4)).toBe(0.25);
    expect(quotaShare(9, 4)).toBe(1);
    expect(quotaShare(0, 0)).toBe(1);
    expect(quotaShare(5, null)).toBe(0);
  });
});
