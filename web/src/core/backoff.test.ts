import { describe, expect, it } from 'vitest';
import { Backoff, PAGE_RECONNECT } from './backoff.js';

const ceilings = (b: Backoff, n: number) => Array.from({ length: n }, () => b.next());

describe('Backoff', () => {
  it('doubles from the base up to the cap, with jitter in [ceiling / 2, ceiling]', () => {
    expect(ceilings(new Backoff({ baseMs: 100, maxMs: 1000, random: () => 1 }), 6)).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect(ceilings(new Backoff({ baseMs: 100, maxMs: 1000, random: () => 0 }), 3)).toEqual([50, 100, 200]);
  });

  it('keeps the first quickAttempts delays under the quick cap, then grows to the cap', () => {
    const b = new Backoff({ baseMs: 300, maxMs: 5000, quickCapMs: 1000, quickAttempts: 4, random: () => 1 });
    expect(ceilings(b, 7)).toEqual([300, 600, 1000, 1000, 4800, 5000, 5000]);
    b.reset();
    expect(b.attempts).toBe(0);
    expect(b.next()).toBe(300);
  });

  it("the page's schedule: back within about 10 s of tries at most 1 s apart, then 5 s", () => {
    const b = new Backoff({ ...PAGE_RECONNECT, random: () => 1 });
    const delays = ceilings(b, PAGE_RECONNECT.quickAttempts! + 2);
    expect(Math.max(...delays.slice(0, PAGE_RECONNECT.quickAttempts))).toBe(1000);
    const quickTotal = delays.slice(0, PAGE_RECONNECT.quickAttempts).reduce((a, d) => a + d, 0);
    expect(quickTotal).toBeGreaterThanOrEqual(9000);
    expect(delays.slice(-2)).toEqual([5000, 5000]);
  });
});
