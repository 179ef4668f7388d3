import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATE_FILES } from '../file-state-store.js';
import { importFileStore } from './import-file-store.js';
import type { PgDatabase } from './pg-database.js';

const log = pino({ level: 'silent' });

/** A database the import must never reach: these imports are refused before any write. */
const untouched = {
  transaction: () => Promise.reject(new Error('the database was written')),
} as unknown as PgDatabase;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'boxroom-import-unit-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('importFileStore refuses what it cannot read', () => {
  it('a data dir that is not there (a mistyped path) imports nothing', async () => {
    await expect(importFileStore(join(dir, 'no-such-dir'), untouched, log)).rejects.toThrow(/ENOENT/);
  });

  it.each(Object.values(STATE_FILES).filter((f) => f.endsWith('.json')))(
    'a %s that does not parse imports nothing',
    async (file) => {
      const dataDir = await mkdtemp(join(dir, 'data-'));
      await writeFile(join(dataDir, file), '{"cut off');
      await expect(importFileStore(dataDir, untouched, log)).rejects.toThrow(/unreadable.*nothing imported/);
    },
  );
});
