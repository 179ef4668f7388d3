import type pg from 'pg';
import type { Logger } from '../../logger.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

/** Any constant shared by every replica: pg_advisory_xact_lock takes a bigint ("boxroom" in ASCII). */
const MIGRATION_LOCK_KEY = '27707110824308589';

/**
 * Applies the migrations the database lacks, in one transaction under an advisory lock: replicas
 * that start together take turns, and the second finds the work done. Returns the versions applied.
 */
export async function applyMigrations(
  pool: pg.Pool,
  log: Logger,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const have = new Set(rows.map((r) => r.version));
    const applied: number[] = [];
    for (const m of migrations) {
      if (have.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        m.version,
        m.name,
      ]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
    const newest = Math.max(0, ...migrations.map((m) => m.version));
    const unknown = [...have].filter((v) => v > newest);
    // A newer dashboard migrated already (a rolling upgrade): migrations only add, so this one runs on.
    if (unknown.length > 0) log.warn({ versions: unknown }, 'database schema is newer than this dashboard');
    if (applied.length > 0) log.info({ versions: applied }, 'database migrations applied');
    return applied;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
