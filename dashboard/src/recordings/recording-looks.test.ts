import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../audit/audit-log.js';
import { OPERATOR } from '../auth/principal.js';
import type { FileStateStore } from '../store/file-state-store.js';
import { recordingEntry } from '../store/state-store.suite.js';
import { tempFileStore } from '../testing/temp-file-store.js';
import { DOWNLOAD_WINDOW_MS, RecordingLooks, VIEW_WINDOW_MS } from './recording-looks.js';

const REC = { ...recordingEntry('rec0123456789abcdef', 0), state: 'complete' as const };

describe('RecordingLooks', () => {
  let store: FileStateStore;
  let dispose: () => Promise<void>;
  let audit: AuditLog;
  let looks: RecordingLooks;
  let now: number;

  beforeEach(async () => {
    ({ store, dispose } = await tempFileStore());
    now = Date.parse('2026-02-01T10:00:00.000Z');
    audit = new AuditLog(store, pino({ level: 'silent' }), () => now);
    looks = new RecordingLooks(audit, store, () => now);
  });
  afterEach(() => dispose());

  const entries = async () =>
    (await store.queryAudit({ limit: 100 })).map((e) => [e.action, e.actor.id, e.actor.name, e.detail.via]);

  it('names a link’s participant by their join, the admin account, and a link for nobody as `link`', async () => {
    await audit.record({ id: 'p1', name: 'Ann', role: 'viewer' }, 'participant.join', REC.roomId);
    await looks.record('recording.view', REC, { link: { by: 'p1' } });
    await looks.record('recording.view', REC, { link: { by: 'operator' } });
    await looks.record('recording.view', REC, { link: {} });
    await looks.record('recording.view', REC, { link: { by: 'gone' } });
    expect((await entries()).slice(1)).toEqual([
      ['recording.view', 'p1', 'Ann', 'link'],
      ['recording.view', 'operator', 'admin', 'link'],
      ['recording.view', 'link', 'signed link', 'link'],
      ['recording.view', 'gone', 'signed link', 'link'],
    ]);
  });

  it('is one entry per person, recording and window, across replicas too', async () => {
    const other = new RecordingLooks(audit, store, () => now);
    await looks.record('recording.view', REC, { p: OPERATOR });
    await other.record('recording.view', REC, { link: { by: 'operator' } });
    await looks.record('recording.download', REC, { p: OPERATOR });
    now += VIEW_WINDOW_MS;
    await looks.record('recording.view', REC, { p: OPERATOR });
    await looks.record('recording.download', REC, { p: OPERATOR });
    now += DOWNLOAD_WINDOW_MS;
    await looks.record('recording.download', REC, { p: OPERATOR });
    expect(await entries()).toEqual([
      ['recording.view', 'operator', 'admin', 'bearer'],
      ['recording.download', 'operator', 'admin', 'bearer'],
      ['recording.view', 'operator', 'admin', 'bearer'],
      ['recording.download', 'operator', 'admin', 'bearer'],
    ]);
  });
});
