import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry, AuditList, Recording, RecordingList } from '@boxroom/contracts';
import { EXPORT_FILE } from '../recordings/recording-media.js';
import { FileStateStore } from '../store/file-state-store.js';
import { recordingEntry } from '../store/state-store.suite.js';
import { buildTestApp, type TestApp } from '../testing/test-app.js';

const RID = 'rec0123456789abcdef';
const OLGA = { authorization: 'Bearer brt_olga' };

/** Looks at recordings through the API, the list's signed links and their media routes. */
describe('recording views and downloads in the audit trail', () => {
  let dataDir: string;
  let t: TestApp;

  beforeEach(async () => {
    // a finished recording with its MP4 already exported, in the store the app opens
    dataDir = await mkdtemp(join(tmpdir(), 'boxroom-rec-audit-'));
    const store = new FileStateStore(dataDir, pino({ level: 'silent' }));
    await store.open();
    await store.insertRecording({
      ...recordingEntry(RID, Date.now() - 60_000),
      state: 'complete',
      endedAt: Date.now() - 30_000,
      durationS: 30,
    });
    // as a sign-in stores it: the trail names a link's person by the account
    const at = new Date().toISOString();
    await store.upsertAccount({
      id: 'olga',
      name: 'Olga',
      email: null,
      role: 'operator',
      createdAt: at,
      lastSignInAt: at,
    });
    await store.close();
    await mkdir(join(dataDir, 'recordings', RID), { recursive: true });
    await writeFile(join(dataDir, 'recordings', RID, EXPORT_FILE), Buffer.alloc(4096, 1));
    t = await buildTestApp({
      dataDir,
      accounts: { brt_olga: { id: 'olga', name: 'Olga', role: 'operator' } },
    });
  });
  afterEach(async () => {
    await t.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const get = (url: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, headers });
  const local = (link: string) => {
    const u = new URL(link);
    return u.pathname + u.search;
  };
  const looks = async (): Promise<AuditEntry[]> => {
    const res = await get('/api/audit', t.admin);
    expect(res.statusCode, res.body).toBe(200);
    return res
      .json<AuditList>()
      .entries.filter((e) => e.action === 'recording.view' || e.action === 'recording.download');
  };
  const brief = (es: AuditEntry[]) => es.map((e) => [e.action, e.actor.id, e.detail.via]);

  it('records a view where the list’s signed playlist is served, naming whom the link was handed to', async () => {
    const list = await get('/api/recordings', OLGA);
    const rec = list.json<RecordingList>().recordings.find((r) => r.id === RID)!;
    // the list itself is no viewing
    expect(await looks()).toEqual([]);
    expect(new URL(rec.links.play).searchParams.get('by')).toBe('olga');
    // a player polls the playlist (no bearer): one view in the window
    for (let i = 0; i < 3; i++) expect((await get(local(rec.links.play))).statusCode).toBe(200);
    const [view, ...more] = await looks();
    expect(more).toEqual([]);
    expect(view).toMatchObject({
      action: 'recording.view',
      actor: { id: 'olga', name: 'Olga', role: 'operator' },
      detail: { recordingId: RID, via: 'link' },
    });
    // the same person asking for the recording (the replay page) within the window: still one view
    expect((await get(`/api/recordings/${RID}`, OLGA)).statusCode).toBe(200);
    expect(brief(await looks())).toEqual([['recording.view', 'olga', 'link']]);
  });

  it('a link whose name was changed is refused; a bearer’s playlist is the bearer’s view', async () => {
    const rec = (await get(`/api/recordings/${RID}`, t.admin)).json<Recording>();
    const forged = local(rec.links.play).replace('by=operator', 'by=olga');
    expect(forged).not.toBe(local(rec.links.play));
    expect((await get(forged)).statusCode).toBe(401);
    expect((await get(`/api/recordings/${RID}/play.m3u8`, OLGA)).statusCode).toBe(200);
    expect(brief(await looks())).toEqual([
      ['recording.view', 'operator', 'bearer'],
      ['recording.view', 'olga', 'bearer'],
    ]);
  });

  it('records a download whatever its range, once per person and window', async () => {
    const rec = (await get('/api/recordings', OLGA)).json<RecordingList>().recordings[0]!;
    const dl = local(rec.links.download);
    // a player that starts after byte 0 is a download too
    const ranged = await get(dl, { range: 'bytes=1-' });
    expect(ranged.statusCode).toBe(206);
    expect(brief(await looks())).toEqual([['recording.download', 'olga', 'link']]);
    for (const range of ['bytes=0-99', 'bytes=100-', ''])
      expect((await get(dl, range ? { range } : {})).statusCode).toBe(range ? 206 : 200);
    // another person, by bearer: an entry of its own
    expect((await get(`/api/recordings/${RID}/download`, t.admin)).statusCode).toBe(200);
    expect(brief(await looks())).toEqual([
      ['recording.download', 'olga', 'link'],
      ['recording.download', 'operator', 'bearer'],
    ]);
    expect((await looks())[0]!.actor).toEqual({ id: 'olga', name: 'Olga', role: 'operator' });
  });
});
