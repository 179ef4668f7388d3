import type { PoolClaim } from '../pool-claim-entry.js';
import type { PgDatabase } from './pg-database.js';

/** Pooled rooms taken by a create: the primary key lets one replica's insert win, the others' do nothing. */
export class PgPoolClaims {
  constructor(private readonly db: PgDatabase) {}

  async load(): Promise<PoolClaim[]> {
    const { rows } = await this.db.query<{ claim: PoolClaim }>('SELECT claim FROM pool_claims');
    return rows.map((r) => r.claim);
  }

  async insert(claim: PoolClaim): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'INSERT INTO pool_claims (room, claim) VALUES ($1, $2) ON CONFLICT (room) DO NOTHING',
      [claim.room, JSON.stringify(claim)],
    );
    return (rowCount ?? 0) > 0;
  }

  async delete(room: string): Promise<void> {
    await this.db.query('DELETE FROM pool_claims WHERE room = $1', [room]);
  }
}
