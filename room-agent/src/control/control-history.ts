import type { ControlChange } from '@boxroom/contracts';
import type { LeaseChange } from './control-lease.js';

/** Enough for a poller that asks every few seconds to miss nothing, even under a burst of changes. */
export const CONTROL_HISTORY_SIZE = 128;

/**
 * The recent changes of the lease, oldest first. GET /state hands them out so the dashboard can
 * relay each change (webhooks) without holding a socket to every room; a poller that fell further
 * behind than the ring sees the gap in `seq`.
 */
export class ControlHistory {
  private readonly ring: ControlChange[] = [];

  constructor(
    private readonly size: number = CONTROL_HISTORY_SIZE,
    private readonly now: () => number = Date.now,
  ) {}

  record(c: LeaseChange): void {
    this.ring.push({ seq: c.state.seq, at: this.now(), reason: c.reason, by: c.by, state: c.state });
    if (this.ring.length > this.size) this.ring.shift();
  }

  /** Changes with a seq above `afterSeq` (all kept ones by default). */
  since(afterSeq = 0): ControlChange[] {
    return this.ring.filter((c) => c.seq > afterSeq);
  }
}
