/** A renewed token and when it expires (ISO), as POST /api/rooms/:id/token answers. */
export interface Renewed {
  token: string;
  expiresAt: string;
}

export interface TokenRenewalOptions {
  /** POST /api/rooms/:id/token with the current token */
  renew: () => Promise<Renewed>;
  /** a new token: use it for every new connection and hand it to the open ones */
  onToken: (r: Renewed) => void;
  /** the server refused (401/403: kicked, invite revoked): renewing again cannot help */
  onRefused: (message: string) => void;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
}

/** Renew this long before expiry: a third of the token's life, at least 2 s, at most a minute. */
export function renewLeadMs(lifeMs: number): number {
  return Math.min(60_000, Math.max(2_000, lifeMs / 3));
}
/** A failed attempt (network, server busy) is retried this often until the token runs out. */
export const RETRY_MS = 2_000;

/**
 * Keeps the room page's token fresh, so honest participants never see an expiry: renews ahead of
 * `expiresAt`, retries failures while the token still lives, stops when the server refuses.
 */
export class TokenRenewal {
  private timer: unknown = null;
  private lifeMs = 0;
  private expiresAtMs = 0;
  private stopped = true;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (t: unknown) => void;

  constructor(private readonly o: TokenRenewalOptions) {
    this.now = o.now ?? Date.now;
    this.setTimer = o.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = o.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  }

  /** (Re)starts for a token expiring at `expiresAt` (ISO). */
  start(expiresAt: string): void {
    this.stopped = false;
    this.expiresAtMs = Date.parse(expiresAt);
    this.lifeMs = Math.max(0, this.expiresAtMs - this.now());
    this.schedule(Math.max(0, this.expiresAtMs - renewLeadMs(this.lifeMs) - this.now()));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
  }

  private schedule(ms: number): void {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = this.setTimer(() => void this.attempt(), ms);
  }

  private async attempt(): Promise<void> {
    this.timer = null;
    if (this.stopped) return;
    try {
      const r = await this.o.renew();
      if (this.stopped) return;
      this.o.onToken(r);
      this.start(r.expiresAt);
    } catch (err) {
      if (this.stopped) return;
      const status = (err as { status?: number }).status ?? 0;
      if (status === 401 || status === 403) {
        this.stop();
        this.o.onRefused(err instanceof Error ? err.message : String(err));
        return;
      }
      // Network or server trouble: try again while the token still lives (the sockets then re-join).
      if (this.now() + RETRY_MS < this.expiresAtMs) this.schedule(RETRY_MS);
    }
  }
}
