import type { AuditAction, AuditEntry } from '@boxroom/contracts';

/** The audit view's filters as the operator typed them (empty: not filtered). */
export interface AuditFilters {
  room: string;
  actor: string;
  action: AuditAction | '';
  /** a datetime-local value (the browser's time zone), or empty */
  since: string;
}

/** `before` of the newest page: greater than any id the API hands out (19 digits). */
export const NEWEST = '9999999999999999999';

/**
 * The query string of GET /api/audit for one page of the view: the newest `limit` entries before
 * `before` (the view opens on the newest and loads older ones on demand).
 */
export function auditQuery(f: AuditFilters, before: string, limit: number): string {
  const q = new URLSearchParams();
  if (f.room.trim()) q.set('room', f.room.trim());
  if (f.actor.trim()) q.set('actor', f.actor.trim());
  if (f.action) q.set('action', f.action);
  if (f.since) {
    const t = new Date(f.since);
    if (!Number.isNaN(t.getTime())) q.set('since', t.toISOString());
  }
  q.set('before', before);
  q.set('limit', String(limit));
  return `?${q.toString()}`;
}

/** An entry's detail as one line (`key=value`, in the order the dashboard wrote them). */
export function detailText(e: AuditEntry): string {
  return Object.entries(e.detail)
    .map(([k, v]) => `${k}=${v === null ? '–' : String(v)}`)
    .join(' ');
}
