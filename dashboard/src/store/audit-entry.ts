import type { AuditAction, AuditActor, AuditDetail, AuditEntry, AuditOutcome } from '@boxroom/contracts';

/** An entry as the AuditLog hands it to the store: the store gives it its id (the order it happened in). */
export interface NewAuditEntry {
  /** ms since epoch */
  at: number;
  actor: AuditActor;
  action: AuditAction;
  roomId: string | null;
  outcome: AuditOutcome;
  detail: AuditDetail;
  /**
   * the same event recorded by several replicas (a control change each relays, an expiry) carries the
   * same key: the store keeps the first and refuses the others. null: always a new entry
   */
  key: string | null;
}

/** What GET /api/audit filters by (the store's part of it: authorization and paging are the AuditLog's). */
export interface AuditFilter {
  room?: string;
  actor?: string;
  action?: AuditAction;
  /** entries at or after this time (ms since epoch) */
  sinceMs?: number;
  /** entries whose id is greater */
  afterId?: string;
  /** entries whose id is smaller: the newest `limit` of them (still oldest first) */
  beforeId?: string;
  limit: number;
}

/** The entry as the API shows it. */
export function auditEntryOf(id: string | number, e: NewAuditEntry): AuditEntry {
  return {
    id: String(id),
    at: new Date(e.at).toISOString(),
    actor: e.actor,
    action: e.action,
    roomId: e.roomId,
    outcome: e.outcome,
    detail: e.detail,
  };
}

/** Does the entry pass the filter (the file store filters in memory; PostgreSQL in SQL)? */
export function matchesAudit(e: AuditEntry, f: AuditFilter): boolean {
  return (
    (f.room === undefined || e.roomId === f.room) &&
    (f.actor === undefined || e.actor.id === f.actor) &&
    (f.action === undefined || e.action === f.action) &&
    (f.sinceMs === undefined || Date.parse(e.at) >= f.sinceMs) &&
    (f.afterId === undefined || BigInt(e.id) > BigInt(f.afterId)) &&
    (f.beforeId === undefined || BigInt(e.id) < BigInt(f.beforeId))
  );
}
