import type { AgentHistogram } from '@boxroom/contracts';

/**
 * A Prometheus-style histogram with fixed bucket bounds: observe() is on the hot path (once per
 * encoded frame), so it only bumps a slot of a preallocated array; snapshot() makes the
 * cumulative counts when someone asks.
 */
export class FixedHistogram {
  private readonly slots: Float64Array;
  private total = 0;
  private sum = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.slots = new Float64Array(bounds.length);
  }

  /** `value` in seconds; negative or non-finite values are ignored (a clock stepped back). */
  observe(value: number): void {
    if (!Number.isFinite(value) || value < 0) return;
    this.total += 1;
    this.sum += value;
    for (let i = 0; i < this.bounds.length; i++) {
      if (value <= this.bounds[i]!) {
        this.slots[i]! += 1;
        return;
      }
    }
  }

  snapshot(): AgentHistogram {
    const counts: number[] = [];
    let running = 0;
    for (const n of this.slots) counts.push((running += n));
    return { bounds: [...this.bounds], counts, count: this.total, sum: this.sum };
  }
}
