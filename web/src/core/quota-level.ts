/** A meter is "near" its limit from this share of it. */
const NEAR_SHARE = 0.8;

export type QuotaLevel = 'ok' | 'near' | 'at';

/** How full a limit is: at (or over) it, near it, or fine; no limit is always fine. Pure. */
export function quotaLevel(used: number, limit: number | null): QuotaLevel {
  if (limit === null) return 'ok';
  if (used >= limit) return 'at';
  return used >= limit * NEAR_SHARE ? 'near' : 'ok';
}

/** How much of its bar a meter fills, 0 to 1 (a limit of 0 is full; no limit has no bar). Pure. */
export function quotaShare(used: number, limit: number | null): number {
  if (limit === null) return 0;
  return limit === 0 ? 1 : Math.min(1, used / limit);
}
