import type { RestartPolicy } from './process-spec.js';

/**
 * Restart delays for one process: quick the first time, doubling while the process keeps failing
 * soon after it starts, back to quick once it has stayed up for `resetAfterMs`.
 */
export class RestartBackoff {
  private failures = 0;

  constructor(private readonly policy: RestartPolicy) {}

  /** Delay before the next start, given how long the run that just ended lasted. */
  next(uptimeMs: number): number {
    if (uptimeMs >= this.policy.resetAfterMs) this.failures = 0;
    const delayMs = Math.min(this.policy.initialDelayMs * 2 ** this.failures, this.policy.maxDelayMs);
    this.failures += 1;
    return delayMs;
  }

  reset(): void {
    this.failures = 0;
  }
}
