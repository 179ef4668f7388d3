import type { QuotaOverrides, RoomUsageEntry } from '../quota-entry.js';
import type { PgDatabase } from './pg-database.js';

interface UsageRow {
  room: string;
  owner: string;
  started_at: string;
  ended_at: string | null;
}

/**
 * The PostgreSQL store's quotas (PostgresStateStore delegates): each write one statement, so two
 * replicas patching one account, or ending one room, cannot lose each other's write. Nothing is
 * cached in memory, so no change is announced.
 */
export class PostgresQuotas {
  constructor(private readonly db: PgDatabase) {}

  async overrides(account: string): Promise<QuotaOverrides> {
    const { rows } = await this.db.query<{ limits: QuotaOverrides }>(
      'SELECT limits FROM quota_overrides WHERE account = $1',
      [account],
    );
    return rows[0]?.limits ?? {};
  }

  async patch(account: string, patch: QuotaOverrides): Promise<QuotaOverrides> {
    // jsonb || merges key by key: present keys replace (JSON null included), absent keys stay
    const { rows } = await this.db.query<{ limits: QuotaOverrides }>(
      `INSERT INTO quota_overrides (account, limits) VALUES ($1, $2)
       ON CONFLICT (account) DO UPDATE SET limits = quota_overrides.limits || excluded.limits
       RETURNING limits`,
      [account, JSON.stringify(patch)],
    );
    return rows[0]!.limits;
  }

  async open(e: Omit<RoomUsageEntry, 'endedAt'>): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'INSERT INTO room_usage (room, owner, started_at) VALUES ($1, $2, $3) ON CONFLICT (room) DO NOTHING',
      [e.room, e.owner, Math.round(e.startedAt)],
    );
    return rowCount === 1;
  }

  async close(room: string, endedAt: number): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'UPDATE room_usage SET ended_at = $2 WHERE room = $1 AND ended_at IS NULL',
      [room, Math.round(endedAt)],
    );
    return rowCount === 1;
  }

  async list(sinceMs: number): Promise<RoomUsageEntry[]> {
    const { rows } = await this.db.query<UsageRow>(
      `SELECT room, owner, started_at, ended_at FROM room_usage
       WHERE ended_at IS NULL OR ended_at >= $1 ORDER BY started_at, room`,
      [Math.round(sinceMs)],
    );
    return rows.map((r) => ({
      room: r.room,
      owner: r.owner,
      startedAt: Number(r.started_at),
      endedAt: r.ended_at === null ? null : Number(r.ended_at),
    }));
  }

  async prune(endedBeforeMs: number): Promise<number> {
    const { rowCount } = await this.db.query('DELETE FROM room_usage WHERE ended_at < $1', [
      Math.round(endedBeforeMs),
    ]);
    return rowCount ?? 0;
  }
}
