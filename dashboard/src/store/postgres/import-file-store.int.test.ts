import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findRepoRoot } from '../../../../test/support/repo-root.js';
import { type PostgresCluster, startPostgresCluster } from '../../../../test/support/postgres-cluster.js';
import { FileStateStore, STATE_FILES } from '../file-state-store.js';
import { auditEntry } from '../state-store-audit.suite.js';
import { webhookEvent } from '../state-store.suite.js';
import { importFileStore } from './import-file-store.js';
import { PostgresStateStore } from './postgres-state-store.js';

const log = pino({ level: 'silent' });
const run = promisify(execFile);

let cluster: PostgresCluster;
let dir: string;
beforeAll(async () => {
  cluster = await startPostgresCluster();
  dir = await mkdtemp(join(tmpdir(), 'boxroom-import-'));
});
afterAll(async () => {
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

const AT = '2026-01-01T10:00:00.000Z';
const ALICE = {
  id: 'oidc:a',
  name: 'Alice',
  email: null,
  role: 'creator' as const,
  createdAt: AT,
  lastSignInAt: AT,
};
const ALICE_TOKEN = {
  id: 'aaaaaaaaaaaa',
  name: 'ci',
  owner: { id: 'oidc:a', name: 'Alice', role: 'creator' as const },
  createdAt: AT,
  expiresAt: null,
  lastUsedAt: null,
  digest: 'ab'.repeat(32),
};

/** A data dir as a single dashboard left it: invites, rights, and a webhook that failed once. */
async function fileStore(): Promise<string> {
  const dataDir = await mkdtemp(join(dir, 'data-'));
  await writeFile(
    join(dataDir, STATE_FILES.invites),
    JSON.stringify({ aaaaaaaaaa: { viewer: 3, owner: 1 } }),
  );
  await writeFile(
    join(dataDir, STATE_FILES.rights),
    JSON.stringify({
      aaaaaaaaaa: { kicked: { p1: 4_000_000_000 }, revokedBefore: { viewer: 1_700_000_000 } },
    }),
  );
  const files = new FileStateStore(dataDir, log);
  await files.open();
  await files.enqueueWebhook(webhookEvent('w1'));
  await files.enqueueWebhook(webhookEvent('w2'));
  await files.retryWebhook('w2', 1, Date.now() + 60_000);
  await files.takeProfile({ owner: 'operator', name: 'work', holder: 'aaaaaaaaaa' }, 1_700_000_000_000);
  await files.insertTemplate({ id: 'clock', name: 'Clock', app: 'command', command: ['xclock'] });
  await files.upsertAccount(ALICE);
  await files.insertApiToken(ALICE_TOKEN);
  await files.appendAudit(auditEntry({ action: 'room.create' }));
  await files.appendAudit(auditEntry({ action: 'room.delete', at: 1_700_000_001_000, key: 'k1' }));
  await files.patchQuotaOverrides('oidc:a', { roomsAtOnce: 2, recordingBytes: null });
  await files.patchQuotaOverrides('oidc:b', { roomHoursPerDay: 3 });
  await files.openRoomUsage({ room: 'aaaaaaaaaa', owner: 'oidc:a', startedAt: 1_700_000_000_000 });
  await files.openRoomUsage({ room: 'bbbbbbbbbb', owner: 'oidc:a', startedAt: 1_700_000_000_000 });
  await files.closeRoomUsage('bbbbbbbbbb', 1_700_000_360_000);
  await files.close();
  return dataDir;
}

async function snapshot(store: PostgresStateStore) {
  return {
    invites: await store.loadInviteGenerations(),
    rights: await store.loadRights(),
    webhooks: await store.dueWebhooks(100, Date.now()),
    profiles: await store.listProfiles(),
    templates: await store.loadTemplates(),
    accounts: await store.listAccounts(),
    apiTokens: await store.listApiTokens(null),
    audit: (await store.queryAudit({ limit: 100 })).map((e) => [e.action, e.at, e.actor.id]),
    quotaOverrides: [await store.getQuotaOverrides('oidc:a'), await store.getQuotaOverrides('oidc:b')],
    roomUsage: await store.listRoomUsage(0),
  };
}

describe('importFileStore', () => {
  it('copies a file store into PostgreSQL, and changes nothing when run again', async () => {
    const dataDir = await fileStore();
    const store = new PostgresStateStore(await cluster.createDatabase(), log);
    await store.open();
    try {
      // Already in the database and higher: kept (a lower generation would revive revoked links).
      for (let i = 0; i < 5; i++) await store.bumpInviteGeneration('aaaaaaaaaa', 'owner');
      // an account with its own limits in the database already keeps them (an admin set them since)
      await store.patchQuotaOverrides('oidc:b', { roomHoursPerDay: 8 });
      const counts = await importFileStore(dataDir, store.db, log);
      expect(counts).toEqual({
        rooms: 1,
        inviteGenerations: 2,
        kicks: 1,
        revocations: 1,
        webhooks: 2,
        roomSettings: 0,
        profiles: 1,
        templates: 1,
        accounts: 1,
        apiTokens: 1,
        auditEntries: 2,
        quotaOverrides: 1,
        roomUsage: 2,
      });
      const first = await snapshot(store);
      expect(first).toEqual({
        invites: { aaaaaaaaaa: { viewer: 3, owner: 5 } },
        rights: { aaaaaaaaaa: { kicked: { p1: 4_000_000_000 }, revokedBefore: { viewer: 1_700_000_000 } } },
        webhooks: [
          { event: webhookEvent('w1'), attempts: 0 },
          { event: webhookEvent('w2'), attempts: 1 },
        ],
        profiles: [
          {
            owner: 'operator',
            name: 'work',
            inUseBy: 'aaaaaaaaaa',
            bytes: null,
            createdAt: 1_700_000_000_000,
            lastUsedAt: 1_700_000_000_000,
          },
        ],
        templates: [{ id: 'clock', name: 'Clock', app: 'command', command: ['xclock'] }],
        accounts: [ALICE],
        apiTokens: [ALICE_TOKEN],
        audit: [
          ['room.create', '2026-01-01T00:00:00.000Z', 'alice'],
          ['room.delete', '2023-11-14T22:13:21.000Z', 'alice'],
        ],
        quotaOverrides: [{ roomsAtOnce: 2, recordingBytes: null }, { roomHoursPerDay: 8 }],
        roomUsage: [
          { room: 'aaaaaaaaaa', owner: 'oidc:a', startedAt: 1_700_000_000_000, endedAt: null },
          { room: 'bbbbbbbbbb', owner: 'oidc:a', startedAt: 1_700_000_000_000, endedAt: 1_700_000_360_000 },
        ],
      });
      expect(await importFileStore(dataDir, store.db, log)).toMatchObject({
        webhooks: 0,
        auditEntries: 0,
        quotaOverrides: 0,
        roomUsage: 0,
      });
      expect(await snapshot(store)).toEqual(first);
    } finally {
      await store.close();
    }
  });

  it('is what `npm run migrate -- --import-from` does, from the self-contained bundle', async () => {
    const dataDir = await fileStore();
    // As the images bundle it: one file, pg inside (pg-native left out).
    const root = findRepoRoot();
    await run(
      process.execPath,
      ['scripts/build.mjs', '--standalone', '--only=dashboard/src/migrate-cli', `--outdir=${dir}`],
      { cwd: root },
    );
    const bundle = join(dir, 'dashboard/dist/migrate.mjs');
    const url = (await cluster.createDatabase()).replace('boxroom@', 'boxroom:pw-never-logged@');
    const env = { PATH: process.env.PATH, BOXROOM_DATABASE_URL: url };
    for (let i = 0; i < 2; i++) {
      const { stdout } = await run(process.execPath, [bundle, '--import-from', dataDir], { env, cwd: dir });
      expect(stdout).toContain('database up to date');
      expect(stdout).not.toContain('pw-never-logged');
      expect(stdout).toContain(i === 0 ? 'database migrations applied' : '"webhooks":0');
    }
    const store = new PostgresStateStore(url, log);
    await store.open();
    try {
      expect((await snapshot(store)).invites).toEqual({ aaaaaaaaaa: { viewer: 3, owner: 1 } });
    } finally {
      await store.close();
    }
    const refused = await run(process.execPath, [bundle], {
      env: { PATH: process.env.PATH },
      cwd: dir,
    }).catch((err: { code: number; stdout: string }) => err);
    expect(refused).toMatchObject({
      code: 2,
      stdout: expect.stringContaining('BOXROOM_DATABASE_URL is not set'),
    });
  });
});
