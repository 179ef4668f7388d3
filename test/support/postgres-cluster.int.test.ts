import { existsSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startPostgresCluster } from './postgres-cluster.js';

describe('startPostgresCluster', () => {
  it('serves databases on loopback and leaves no process or directory after stop', async () => {
    const cluster = await startPostgresCluster();
    try {
      const url = await cluster.createDatabase();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query<{ user: string }>('SELECT current_user AS user');
      await client.end();
      expect(rows[0]?.user).toBe('boxroom');
      expect(existsSync(`${cluster.dir}/.s.PGSQL.${cluster.port}`)).toBe(true);
    } finally {
      await cluster.stop();
    }
    expect(existsSync(cluster.dir)).toBe(false);
    expect(() => process.kill(cluster.pid, 0)).toThrow();
  });
});
