/**
 * Exponential backoff with full jitter: delay n is random in [ceiling / 2, ceiling], ceiling = base * 2^n.
 *
 * Two caps: the first `quickAttempts` delays stay under `quickCapMs`, later ones under `maxMs`. Most
 * outages a page sees are a process starting again (the dashboard, a room's encoder): seconds, during
 * which a refused connection costs the server nothing, and a slow retry would keep the page dark for
 * longer than the outage itself. A server that stays away is asked less and less often.
 */
export interface BackoffOptions {
  readonly baseMs: number;
  readonly maxMs: number;
  /** the cap of the first `quickAttempts` delays (default: maxMs, i.e. no quick phase) */
  readonly quickCapMs?: number;
  readonly quickAttempts?: number;
  readonly random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly quickCapMs: number;
  private readonly quickAttempts: number;
  private readonly random: () => number;

  constructor(opts: BackoffOptions) {
    this.baseMs = opts.baseMs;
    this.maxMs = opts.maxMs;
    this.quickCapMs = Math.min(opts.quickCapMs ?? opts.maxMs, opts.maxMs);
    this.quickAttempts = opts.quickAttempts ?? 0;
    this.random = opts.random ?? Math.random;
  }

  next(): number {
    const cap = this.attempt < this.quickAttempts ? this.quickCapMs : this.maxMs;
    const ceiling = Math.min(cap, this.baseMs * 2 ** this.attempt);
    this.attempt += 1;
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}

/**
 * The page's sockets and player: from 300 ms, at most 1 s apart for the first 12 tries (about 10 s,
 * longer than a dashboard takes to start again), then up to 5 s.
 */
export const PAGE_RECONNECT: BackoffOptions = {
  baseMs: 300,
  maxMs: 5000,
  quickCapMs: 1000,
  quickAttempts: 12,
};
