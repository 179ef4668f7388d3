import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { errors } from '../errors.js';

/** Clients remembered at once: a flood of new addresses costs bounded memory (oldest forgotten). */
const MAX_CLIENTS = 10_000;

/**
 * A token bucket per client address: `perMinute` requests, refilled evenly, a burst of at most
 * `burst`. The address is req.ip: the TCP peer, or the client a trusted proxy names
 * (BOXROOM_TRUSTED_PROXIES), never a header a client sets itself.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMs: number;

  constructor(
    readonly perMinute: number,
    private readonly burst: number = Math.max(1, Math.ceil(perMinute / 4)),
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = perMinute / 60_000;
  }

  /** 0: allowed (one token taken); else the seconds until the next request would be. */
  take(client: string): number {
    if (this.perMinute <= 0) return 0;
    const now = this.now();
    const b = this.buckets.get(client);
    const tokens = b ? Math.min(this.burst, b.tokens + (now - b.at) * this.perMs) : this.burst;
    // re-insert: Map order is the LRU order
    this.buckets.delete(client);
    if (tokens >= 1) {
      this.buckets.set(client, { tokens: tokens - 1, at: now });
      this.trim();
      return 0;
    }
    this.buckets.set(client, { tokens, at: now });
    this.trim();
    return Math.max(1, Math.ceil((1 - tokens) / this.perMs / 1000));
  }

  private trim(): void {
    while (this.buckets.size > MAX_CLIENTS) {
      const oldest = this.buckets.keys().next().value as string;
      this.buckets.delete(oldest);
    }
  }
}

/**
 * A preHandler answering 429 with Retry-After once a client is over its rate. `exemptAdmin`: the
 * admin credential (the deployment's own automation, e.g. a benchmark joining 100 readers) is not
 * limited.
 */
export function rateLimited(limiter: RateLimiter, what: string, exemptAdmin = false) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (exemptAdmin && req.principal?.role === 'operator' && req.principal.room === null) return;
    const wait = limiter.take(req.ip ?? 'unknown');
    if (wait === 0) return;
    reply.header('retry-after', String(wait));
    throw errors.tooManyRequests(
      `too many ${what} requests from your address (at most ${limiter.perMinute} a minute); retry in ${wait} s`,
    );
  };
}

/** The API's rate limits per client address and minute (absent or 0: none), bursts of half that. */
export function rateLimits(
  rates: { joinPerMin?: number; createPerMin?: number; signInPerMin?: number } = {},
): {
  join?: onRequestHookHandler;
  create?: onRequestHookHandler;
  signIn?: onRequestHookHandler;
  signInCallback?: onRequestHookHandler;
} {
  const limit = (perMin: number | undefined, what: string, exemptAdmin = false) =>
    perMin
      ? rateLimited(new RateLimiter(perMin, Math.max(1, Math.ceil(perMin / 2))), what, exemptAdmin)
      : undefined;
  const join = limit(rates.joinPerMin, 'join', true);
  const create = limit(rates.createPerMin, 'create');
  const signIn = limit(rates.signInPerMin, 'sign-in');
  const signInCallback = limit(rates.signInPerMin, 'sign-in callback');
  return {
    ...(join ? { join } : {}),
    ...(create ? { create } : {}),
    ...(signIn ? { signIn } : {}),
    ...(signInCallback ? { signInCallback } : {}),
  };
}
