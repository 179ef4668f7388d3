import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileStateStore } from '../store/file-state-store.js';
import { auditEntry } from '../store/state-store-audit.suite.js';
import { tempFileStore } from '../testing/temp-file-store.js';
import { AuditRetention } from './audit-retention.js';

const DAY_MS = 24 * 3600 * 1000;
const NOW = Date.parse('2026-03-01T00:00:00.000Z');

describe('AuditRetention', () => {
  let store: FileStateStore;
  let dispose: () => Promise<void>;
  beforeEach(async () => {
    ({ store, dispose } = await tempFileStore());
    // one entry a day for the last 10 days
    for (let d = 10; d >= 1; d--)
      await store.appendAudit(auditEntry({ at: NOW - d * DAY_MS, detail: { d } }));
  });
  afterEach(() => dispose());

  const job = (retentionDays: number, maxEntries: number) =>
    new AuditRetention({ store, retentionDays, maxEntries, log: pino({ level: 'silent' }), now: () => NOW });
  const kept = async () => (await store.queryAudit({ limit: 100 })).map((e) => e.detail.d);

  it('drops entries older than the retention, then all but the newest maxEntries', async () => {
    await job(5, 0).prune();
    expect(await kept()).toEqual([5, 4, 3, 2, 1]);
    await job(5, 2).prune();
    expect(await kept()).toEqual([2, 1]);
  });

  it('keeps everything when both bounds are 0', async () => {
    await job(0, 0).prune();
    expect(await kept()).toHaveLength(10);
  });

  it('prunes when started, and stops cleanly', async () => {
    const j = job(3, 0);
    j.start();
    await j.stop();
    expect(await kept()).toEqual([3, 2, 1]);
  });
});
