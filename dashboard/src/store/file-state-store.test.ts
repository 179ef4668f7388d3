import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileOutbox } from './file-outbox.js';
import { FileStateStore, STATE_FILES } from './file-state-store.js';
import { auditEntry } from './state-store-audit.suite.js';
import { defineStateStoreSuite, webhookEvent } from './state-store.suite.js';

const log = pino({ level: 'silent' });

defineStateStoreSuite('files', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'boxroom-state-'));
  return {
    shared: false,
    open: async () => {
      const store = new FileStateStore(dir, log);
      await store.open();
      return store;
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('FileStateStore files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'boxroom-state-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const readState = async (file: string): Promise<unknown> =>
    JSON.parse(await readFile(join(dir, file), 'utf8')) as unknown;

  it('reads and writes invites.json and rights.json in the formats deployments already have', async () => {
    // As InviteService and RightsService wrote them before the store existed.
    const invites = { aaaaaaaaaa: { viewer: 3, owner: 1 } };
    const rights = {
      aaaaaaaaaa: { kicked: { p1: 4_000_000_000 }, revokedBefore: { viewer: 1_700_000_000 } },
      bbbbbbbbbb: { kicked: {}, revokedBefore: { owner: 1_700_000_001 } },
    };
    await writeFile(join(dir, STATE_FILES.invites), JSON.stringify(invites));
    await writeFile(join(dir, STATE_FILES.rights), JSON.stringify(rights));
    const store = new FileStateStore(dir, log);
    await store.open();
    expect(await store.loadInviteGenerations()).toEqual(invites);
    expect(await store.loadRights()).toEqual(rights);

    expect(await store.bumpInviteGeneration('aaaaaaaaaa', 'viewer')).toBe(4);
    await store.kick('bbbbbbbbbb', 'p2', 4_000_000_001, 1_700_000_000);
    await store.close();
    expect(await readState(STATE_FILES.invites)).toEqual({ aaaaaaaaaa: { viewer: 4, owner: 1 } });
    expect(await readState(STATE_FILES.rights)).toEqual({
      ...rights,
      bbbbbbbbbb: { kicked: { p2: 4_000_000_001 }, revokedBefore: { owner: 1_700_000_001 } },
    });
  });

  it('starts empty, and says so, when a file is corrupt', async () => {
    await writeFile(join(dir, STATE_FILES.invites), '{"aaaaaaaaaa": {');
    await writeFile(join(dir, STATE_FILES.rights), 'null');
    const lines: string[] = [];
    const store = new FileStateStore(dir, pino({ level: 'error' }, { write: (l: string) => lines.push(l) }));
    await store.open();
    expect(await store.loadInviteGenerations()).toEqual({});
    expect(await store.loadRights()).toEqual({});
    expect(lines.join('')).toContain('invite generations unreadable');
  });

  it('refuses to open on corrupt pool claims (without them, rooms taken from the pool look pooled and would be deleted)', async () => {
    await writeFile(join(dir, STATE_FILES.poolClaims), '{"claims": [');
    const store = new FileStateStore(dir, log);
    await expect(store.open()).rejects.toThrow(/pool-claims\.json is unreadable.*repair it, or remove it/);
  });

  it('drops the oldest queued webhook, with a warning, beyond its bound', async () => {
    const lines: string[] = [];
    const outbox = new FileOutbox(
      join(dir, STATE_FILES.outbox),
      pino({ level: 'warn' }, { write: (l: string) => lines.push(l) }),
      3,
    );
    await outbox.load();
    for (const id of ['w1', 'w2', 'w3', 'w4']) expect(await outbox.enqueue(webhookEvent(id))).toBe(true);
    expect(outbox.due(10, Date.now()).map((e) => e.event.id)).toEqual(['w2', 'w3', 'w4']);
    expect(lines.join('')).toContain('webhook outbox full: oldest event dropped');
    expect(lines.join('')).toContain('"event":"w1"');
  });

  it('keeps the audit trail as JSON lines (owner-only), skips a line torn by a crash, compacts on prune', async () => {
    const store = new FileStateStore(dir, log);
    await store.open();
    await store.appendAudit(auditEntry({ detail: { n: 1 } }));
    await store.appendAudit(auditEntry({ detail: { n: 2 }, key: 'k2' }));
    await store.close();
    const file = join(dir, STATE_FILES.audit);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { detail: unknown }).detail)).toEqual([{ n: 1 }, { n: 2 }]);
    // a crash in the middle of an append
    await appendFile(file, '{"id":"3","at":"2026-');
    const logged: string[] = [];
    const again = new FileStateStore(dir, pino({ level: 'warn' }, { write: (l: string) => logged.push(l) }));
    await again.open();
    expect((await again.queryAudit({ limit: 10 })).map((e) => e.detail.n)).toEqual([1, 2]);
    expect(logged.join('')).toContain('unreadable lines skipped');
    // the key survived the restart; an entry appended after the torn line is whole
    expect(await again.appendAudit(auditEntry({ key: 'k2' }))).toBeNull();
    await again.appendAudit(auditEntry({ detail: { n: 3 } }));
    await again.close();
    const third = new FileStateStore(dir, log);
    await third.open();
    expect((await third.queryAudit({ limit: 10 })).map((e) => e.detail.n)).toEqual([1, 2, 3]);
    expect(await third.pruneAudit(0, 1)).toBe(2);
    await third.close();
    expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(1);
  });

  it('never gives an audit id twice: a prune that empties the trail keeps its last id over a restart', async () => {
    const store = new FileStateStore(dir, log);
    await store.open();
    await store.appendAudit(auditEntry({ detail: { n: 1 } }));
    const second = await store.appendAudit(auditEntry({ detail: { n: 2 } }));
    expect(await store.pruneAudit(Date.now() + 1000, 0)).toBe(2);
    await store.close();
    const again = new FileStateStore(dir, log);
    await again.open();
    expect(await again.queryAudit({ limit: 10 })).toEqual([]);
    const third = await again.appendAudit(auditEntry({ detail: { n: 3 } }));
    expect(BigInt(third!.id)).toBeGreaterThan(BigInt(second!.id));
    // a reader that had paged up to the second entry finds the third
    expect((await again.queryAudit({ afterId: second!.id, limit: 10 })).map((e) => e.detail.n)).toEqual([3]);
    // a later prune that keeps the newest entry needs no mark: the entry carries the id
    expect(await again.pruneAudit(0, 1)).toBe(0);
    await again.appendAudit(auditEntry({ detail: { n: 4 } }));
    expect(await again.pruneAudit(0, 1)).toBe(1);
    await again.close();
    const text = await readFile(join(dir, STATE_FILES.audit), 'utf8');
    expect(text.trim().split('\n')).toHaveLength(1);
    const last = new FileStateStore(dir, log);
    await last.open();
    const fifth = await last.appendAudit(auditEntry({ detail: { n: 5 } }));
    expect(Number(fifth!.id)).toBe(Number(third!.id) + 2);
    await last.close();
  });

  it('lets a lease holder renew for the new ttl, measured on its clock', async () => {
    let now = 1000;
    const store = new FileStateStore(dir, log, () => now);
    await store.open();
    expect(await store.acquireLease('reaper', 'a', 100)).toBe(true);
    now = 1090;
    expect(await store.acquireLease('reaper', 'a', 100)).toBe(true);
    now = 1150; // the first grant would have run out, the renewal has not
    expect(await store.acquireLease('reaper', 'b', 100)).toBe(false);
    now = 1190;
    expect(await store.acquireLease('reaper', 'b', 100)).toBe(true);
  });
});
