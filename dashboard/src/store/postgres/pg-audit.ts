import type pg from 'pg';
import type { AuditAction, AuditActor, AuditDetail, AuditEntry, AuditOutcome } from '@boxroom/contracts';
import type { AuditFilter, NewAuditEntry } from '../audit-entry.js';
import type { PgDatabase } from './pg-database.js';

interface AuditRow {
  id: string;
  at: Date;
  actor: AuditActor;
  action: AuditAction;
  room: string | null;
  outcome: AuditOutcome;
  detail: AuditDetail;
}

const MAX_BIGINT = 9223372036854775807n;
const COLUMNS = 'id, at, actor, action, room, outcome, detail';

const entryOf = (r: AuditRow): AuditEntry => ({
  id: String(r.id),
  at: r.at.toISOString(),
  actor: r.actor,
  action: r.action,
  roomId: r.room,
  outcome: r.outcome,
  detail: r.detail,
});

/**
 * Adds one entry to audit_log (its id from the sequence: the order across replicas); null when an
 * entry with its key is there already (the key's unique constraint decides between replicas).
 */
export async function insertAudit(db: pg.Pool | pg.PoolClient, e: NewAuditEntry): Promise<AuditEntry | null> {
  const { rows } = await db.query<AuditRow>(
    `INSERT INTO audit_log (at, actor_id, actor, action, room, outcome, detail, key)
     VALUES (to_timestamp($1::double precision / 1000), $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (key) DO NOTHING RETURNING ${COLUMNS}`,
    [
      e.at,
      e.actor.id,
      JSON.stringify(e.actor),
      e.action,
      e.roomId,
      e.outcome,
      JSON.stringify(e.detail),
      e.key,
    ],
  );
  return rows[0] ? entryOf(rows[0]) : null;
}

/** The PostgreSQL store's audit trail (table audit_log, migration 0007). */
export class PgAudit {
  constructor(private readonly db: PgDatabase) {}

  append(e: NewAuditEntry): Promise<AuditEntry | null> {
    return insertAudit(this.db.pool, e);
  }

  async query(f: AuditFilter): Promise<AuditEntry[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (f.room !== undefined) add('room = ?', f.room);
    if (f.actor !== undefined) add('actor_id = ?', f.actor);
    if (f.action !== undefined) add('action = ?', f.action);
    if (f.sinceMs !== undefined) add('at >= to_timestamp(?::double precision / 1000)', f.sinceMs);
    if (f.afterId !== undefined && BigInt(f.afterId) > MAX_BIGINT) return [];
    if (f.afterId !== undefined) add('id > ?::bigint', f.afterId);
    // ids above bigint's range (the API's "before the newest", 19 nines) leave nothing out
    if (f.beforeId !== undefined && BigInt(f.beforeId) <= MAX_BIGINT) add('id < ?::bigint', f.beforeId);
    params.push(f.limit);
    // paging back (`beforeId`) takes the newest matches, handed out oldest first like any page
    const back = f.beforeId !== undefined;
    const { rows } = await this.db.query<AuditRow>(
      `SELECT ${COLUMNS} FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY id ${back ? 'DESC' : ''} LIMIT $${params.length}`,
      params,
    );
    if (back) rows.reverse();
    return rows.map(entryOf);
  }

  async prune(beforeMs: number, keepMax: number): Promise<number> {
    return this.db.transaction(async (c) => {
      const old = await c.query(
        'DELETE FROM audit_log WHERE at < to_timestamp($1::double precision / 1000)',
        [beforeMs],
      );
      let over = 0;
      if (keepMax > 0) {
        const r = await c.query(
          `DELETE FROM audit_log WHERE id <= (SELECT id FROM audit_log ORDER BY id DESC OFFSET $1 LIMIT 1)`,
          [keepMax],
        );
        over = r.rowCount ?? 0;
      }
      return (old.rowCount ?? 0) + over;
    });
  }
}
