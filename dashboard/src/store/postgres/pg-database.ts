import pg from 'pg';
import type { Logger } from '../../logger.js';
import type { StoreChange } from '../state-store.js';
import { CHANGE_CHANNEL } from './change-feed.js';

/** A pool of connections to the store's database, and its one way to write: a transaction. */
export class PgDatabase {
  readonly pool: pg.Pool;

  constructor(connectionString: string, log: Logger) {
    this.pool = new pg.Pool({ connectionString, max: 5, application_name: 'boxroom-dashboard' });
    // An idle connection the server dropped emits here; without a listener it would end the process.
    this.pool.on('error', (err) => log.warn({ err }, 'idle database connection lost'));
  }

  query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>(sql, params);
  }

  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (err) {
      // A connection that cannot even roll back is broken: release(err) discards it.
      const broken = await client.query('ROLLBACK').then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      client.release(broken);
      throw err;
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/** Announces a change to every replica once the transaction commits (NOTIFY is transactional). */
export async function notifyChange(client: pg.PoolClient, change: StoreChange): Promise<void> {
  await client.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, JSON.stringify(change)]);
}
