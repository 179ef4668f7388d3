import { describe, expect, it } from 'vitest';
import { PageSocket, prng, verdictOf } from '../../bench/lib/chaos-clients.js';

const reader = (arrivals: number[]) => {
  const s = new PageSocket('stream', 'r', { join: async () => 't', url: () => 'ws://unused' });
  s.videoAt.push(...arrivals);
  return s;
};
const every = (from: number, to: number, step: number) =>
  Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

describe('chaos bench: time back to video', () => {
  it('is the end of the outage, not a frame that was in flight when the fault struck', () => {
    // frames every 33 ms, the fault at 1000, two frames in flight, then nothing until 2500
    const s = reader([...every(0, 1000, 33), 1010, 1040, ...every(2500, 4000, 33)]);
    expect(s.backToVideo(1000)).toBe(1500);
  });

  it('is the next frame when video never stopped', () => {
    const s = reader(every(0, 5000, 33));
    expect(s.backToVideo(1000)).toBe(1023 - 1000);
  });

  it('is not known while the outage lasts', () => {
    const s = reader([...every(0, 1000, 33), 1010]);
    expect(s.backToVideo(1000)).toBeNull();
  });
});

describe('chaos bench: clients', () => {
  it('reconnects, joins again or stops on the codes the page does', () => {
    expect(verdictOf(4503)).toBe('retry');
    expect(verdictOf(1006)).toBe('retry');
    expect(verdictOf(4401)).toBe('rejoin');
    expect(verdictOf(4504)).toBe('stop');
    expect(verdictOf(4404)).toBe('stop');
  });

  it('draws the same faults for the same seed', () => {
    const a = prng(7);
    const b = prng(7);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => prng(8)())).not.toEqual(xs);
  });
});
