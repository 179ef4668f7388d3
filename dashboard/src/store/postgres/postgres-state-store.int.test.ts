import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresCluster, startPostgresCluster } from '../../../../test/support/postgres-cluster.js';
import type { StoreChange } from '../state-store.js';
import { defineStateStoreSuite } from '../state-store.suite.js';
import { applyMigrations } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';
import { PostgresStateStore } from './postgres-state-store.js';

const log = pino({ level: 'silent' });

let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgresCluster();
});
afterAll(async () => {
  await cluster?.stop();
});

async function openStore(url: string, logger = log): Promise<PostgresStateStore> {
  const store = new PostgresStateStore(url, logger);
  await store.open();
  return store;
}

async function dropDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: cluster.url() });
  await client.connect();
  try {
    await client.query(
      `DROP DATABASE ${client.escapeIdentifier(new URL(url).pathname.slice(1))} WITH (FORCE)`,
    );
  } finally {
    await client.end();
  }
}

// Every test on a database of its own, which also runs the migrations on an empty database each time.
defineStateStoreSuite('PostgreSQL', async () => {
  const url = await cluster.createDatabase();
  return { shared: true, open: () => openStore(url), dispose: () => dropDatabase(url) };
});

describe('PostgresStateStore', () => {
  it('migrates once when replicas start together, and records each version', async () => {
    const url = await cluster.createDatabase();
    const stores = await Promise.all([openStore(url), openStore(url), openStore(url)]);
    const { rows } = await stores[0]!.db.query<{ version: number }>(
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await applyMigrations(stores[0]!.db.pool, log)).toEqual([]);
    await Promise.all(stores.map((s) => s.close()));
    await dropDatabase(url);
  });

  it('applies a failing migration wholly or not at all', async () => {
    const url = await cluster.createDatabase();
    const store = await openStore(url);
    const broken = [
      ...MIGRATIONS,
      { version: 999, name: 'broken', sql: 'CREATE TABLE half (x int); SELEKT 1' },
    ];
    await expect(applyMigrations(store.db.pool, log, broken)).rejects.toThrow(/syntax error/);
    const half = await store.db.query("SELECT 1 FROM pg_tables WHERE tablename = 'half'");
    expect(half.rowCount).toBe(0);
    const versions = await store.db.query('SELECT 1 FROM schema_migrations WHERE version = 999');
    expect(versions.rowCount).toBe(0);
    await store.close();
    await dropDatabase(url);
  });

  it('hears changes again after its listening connection was cut, and logs no password', async () => {
    const db = await cluster.createDatabase();
    // trust authentication ignores the password: it is there to be kept out of the logs
    const url = db.replace('boxroom@', 'boxroom:pw-never-logged@');
    const lines: string[] = [];
    const loud = pino({ level: 'debug' }, { write: (l: string) => lines.push(l) });
    const a = await openStore(url, loud);
    const b = await openStore(url);
    const changes: StoreChange[] = [];
    a.onChange((c) => changes.push(c));
    await b.bumpInviteGeneration('aaaaaaaaaa', 'viewer');
    await expect
      .poll(() => changes, { timeout: 2000 })
      .toContainEqual({ kind: 'invites', room: 'aaaaaaaaaa' });
    changes.length = 0;

    const pid = await a.listenerPid();
    expect(pid).toBeGreaterThan(0);
    // The connection is cut, and the database refuses new ones for a while: reconnections fail,
    // and back off, until it lets them in again.
    const name = new URL(db).pathname.slice(1);
    const admin = new pg.Client({ connectionString: cluster.url() });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE ${admin.escapeIdentifier(name)} WITH ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      await expect.poll(() => lines.join(''), { timeout: 5000 }).toContain('reconnection failed');
      await admin.query(`ALTER DATABASE ${admin.escapeIdentifier(name)} WITH ALLOW_CONNECTIONS true`);
    } finally {
      await admin.end();
    }
    // Back within the backoff; the rooms with state are announced, since changes may have been missed.
    await expect
      .poll(() => changes, { timeout: 5000 })
      .toContainEqual({ kind: 'invites', room: 'aaaaaaaaaa' });
    const fresh = async () => ((await a.listenerPid()) ?? pid) !== pid;
    await expect.poll(fresh, { timeout: 5000 }).toBe(true);
    await b.kick('bbbbbbbbbb', 'p1', 9_999_999_999, 0);
    await expect
      .poll(() => changes, { timeout: 2000 })
      .toContainEqual({ kind: 'rights', room: 'bbbbbbbbbb' });

    await Promise.all([a.close(), b.close()]);
    const logged = lines.join('');
    expect(logged).toContain('store change feed lost');
    expect(logged).toContain('state store: PostgreSQL');
    expect(logged).not.toContain('pw-never-logged');
    await dropDatabase(url);
  });

  it('fails to open, naming no password, when the database is not there', async () => {
    const store = new PostgresStateStore(cluster.url('no_such_db').replace('boxroom@', 'boxroom:pw-x@'), log);
    const err = await store.open().then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/no_such_db/);
    expect(err?.message).not.toContain('pw-x');
    await store.close();
  });
});
