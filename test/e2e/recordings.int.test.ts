import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Recording, RecordingTimelineEntry, SessionEvent } from '@boxroom/contracts';
import { openSession, until, xdotool } from '../support/agent-helpers.js';
import { DashboardProcess } from '../support/dashboard-process.js';
import { changedShare, ffmpegChildren, grayPixels, probe } from '../support/recordings.js';

/** Share of changed pixels that says "the screen changed" (typed text); the desktop is otherwise still. */
const CHANGED = 0.0005;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('recordings of a real room (local driver: Xvfb, ffmpeg, node-media-server)', () => {
  let dash: DashboardProcess;
  let roomId: string;
  let links: Record<'participant' | 'viewer' | 'owner', string>;
  const tmp = mkdtempSync(join(tmpdir(), 'boxroom-rec-test-'));

  const type = async (text: string) => {
    const r = dash.localRoom(roomId);
    await xdotool(r.display, r.runDir, 'type', '--delay', '25', text);
  };
  const start = async () => {
    const res = await dash.api<{ recording: Recording }>('POST', `/api/rooms/${roomId}/recording/start`);
    expect(res.status).toBe(200);
    return res.body.recording;
  };
  const stop = async () => {
    const res = await dash.api<{ recording: Recording }>('POST', `/api/rooms/${roomId}/recording/stop`);
    expect(res.status).toBe(200);
    return res.body.recording;
  };
  const events = async (rid: string) =>
    (await dash.api<RecordingTimelineEntry[]>('GET', `/api/recordings/${rid}/events`)).body;
  /** the MP4 through `links.download` as given (no cookie, no bearer), probed */
  const download = async (rec: Recording) => {
    const res = await fetch(rec.links.download);
    expect(res.status).toBe(200);
    const file = join(tmp, `${rec.id}.mp4`);
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    return probe(file);
  };
  const frames = new Map<string, Buffer>();
  const frame = async (rid: string, t: number): Promise<Buffer> => {
    const key = `${rid}@${t.toFixed(1)}`;
    const known = frames.get(key);
    if (known) return known;
    const res = await fetch(`${dash.url}/api/recordings/${rid}/frame.jpg?t=${t.toFixed(1)}`, {
      headers: { authorization: `Bearer ${dash.adminToken}` },
    });
    expect(res.status, `frame at ${t}`).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    const px = await grayPixels(Buffer.from(await res.arrayBuffer()));
    frames.set(key, px);
    return px;
  };

  beforeAll(async () => {
    dash = await DashboardProcess.start({
      driver: 'local',
      env: { BOXROOM_LOG_LEVEL: process.env.BOXROOM_E2E_LOG_LEVEL ?? 'warn' },
    });
    const created = await dash.api<{ id: string; links: typeof links }>('POST', '/api/rooms', {
      width: 640,
      height: 360,
      fps: 15,
      app: 'terminal',
    });
    expect(created.status).toBe(201);
    ({ id: roomId, links } = created.body);
    await until(
      async () => (await dash.api<{ status: string }>('GET', `/api/rooms/${roomId}`)).body.status === 'ready',
      30_000,
      'the room to be ready',
    );
  }, 60_000);

  afterAll(async () => {
    await dash?.teardown();
    rmSync(tmp, { recursive: true, force: true });
  }, 60_000);

  it('records 20 s while typing: H.264 + AAC MP4 of that length, frames in order, control on the timeline', async () => {
    const invite = new URL(links.viewer).hash.replace('#invite=', '');
    const joined = await fetch(`${dash.url}/api/rooms/${roomId}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ invite, name: 'watcher' }),
    }).then((r) => r.json() as Promise<{ token: string }>);
    const session = await openSession(
      `${dash.url.replace('http', 'ws')}/rooms/${roomId}/session?token=${joined.token}`,
    );

    const t0 = Date.now();
    const rec = await start();
    expect(rec.state).toBe('recording');
    expect((await dash.api('POST', `/api/rooms/${roomId}/recording/start`)).status).toBe(409);
    await session.waitFor(
      (e: SessionEvent) => e.type === 'recording' && e.state === 'started' && e.recordingId === rec.id,
      5000,
      'the recording started event',
    );

    // someone who joins while it runs sees it at once (hello)
    const late = await openSession(
      `${dash.url.replace('http', 'ws')}/rooms/${roomId}/session?token=${joined.token}`,
    );
    const hello = late.events.find((e) => e.type === 'hello');
    expect(hello && 'recording' in hello ? hello.recording : undefined).toEqual({ recordingId: rec.id });
    late.close();

    await sleep(2000);
    await type('first burst AAAA');
    await sleep(4000);
    // control changes hands and the screen changes at the same moment
    const take = await dash.api('POST', `/api/rooms/${roomId}/control/take`);
    expect(take.status).toBe(200);
    await type(' second burst BBBB');
    await sleep(5000);
    await type(' third burst CCCC');
    await sleep(Math.max(0, t0 + 20_000 - Date.now()));
    // what was recorded: from the start call to the stop call (the stop answers once it is finished)
    const wallS = (Date.now() - t0) / 1000;
    const done = await stop();
    expect(done.state).toBe('complete');
    await session.waitFor(
      (e: SessionEvent) => e.type === 'recording' && e.state === 'stopped' && e.recordingId === rec.id,
      5000,
      'the recording stopped event',
    );
    session.close();

    const mp4 = await download(done);
    expect(mp4.codecs).toEqual(expect.arrayContaining(['h264', 'aac']));
    expect(
      Math.abs(mp4.durationS - wallS),
      `MP4 ${mp4.durationS} s, recorded ${wallS} s`,
    ).toBeLessThanOrEqual(0.5);
    expect(Math.abs(done.durationS - mp4.durationS)).toBeLessThanOrEqual(0.5);

    // The control change's media time, against the moment the screen changed (the second burst
    // was typed right after it): found by decoding frames around it.
    const timeline = await events(rec.id);
    const control = timeline.find((e) => e.type === 'control');
    expect(control, JSON.stringify(timeline)).toBeDefined();
    const tc = control!.t;
    const before = await frame(rec.id, Math.max(0, tc - 1));
    let changedAt: number | null = null;
    for (let t = Math.max(0, tc - 0.9); t <= tc + 1.5; t += 0.1) {
      if (changedShare(before, await frame(rec.id, t)) > CHANGED) {
        changedAt = t;
        break;
      }
    }
    expect(changedAt, 'the second burst appears on screen near the control change').not.toBeNull();
    expect(Math.abs(changedAt! - tc)).toBeLessThanOrEqual(0.5);

    // A frame after the second burst shows it, and not the third typed later.
    const afterSecond = await frame(rec.id, changedAt! + 1);
    const end = await frame(rec.id, Math.floor((done.durationS - 0.5) * 10) / 10);
    expect(changedShare(before, afterSecond)).toBeGreaterThan(CHANGED);
    expect(changedShare(afterSecond, end)).toBeGreaterThan(CHANGED);
    // and the first burst was on screen before the control change
    const atStart = await frame(rec.id, 0.5);
    expect(changedShare(atStart, before)).toBeGreaterThan(CHANGED);

    expect(timeline.map((e) => e.type)).toEqual(
      expect.arrayContaining(['recording.start', 'recording.stop']),
    );
  }, 120_000);

  it('a recorder killed mid-recording continues in the same recording, nothing before it lost', async () => {
    const t0 = Date.now();
    const rec = await start();
    await sleep(6000);
    const pids = ffmpegChildren(dash.pid!, rec.id);
    expect(pids).toHaveLength(1);
    process.kill(pids[0]!, 'SIGKILL');
    await until(() => ffmpegChildren(dash.pid!, rec.id).some((p) => p !== pids[0]), 10_000, 'a new recorder');
    await sleep(5000);
    const wallS = (Date.now() - t0) / 1000;
    const done = await stop();
    expect(done.state).toBe('complete');
    const timeline = await events(rec.id);
    expect(timeline.filter((e) => e.type === 'discontinuity')).toHaveLength(1);
    const playlist = await fetch(done.links.play).then((r) => r.text());
    expect(playlist).toContain('#EXT-X-DISCONTINUITY');
    expect(playlist).toContain('#EXT-X-ENDLIST');
    const mp4 = await download(done);
    expect(mp4.codecs).toEqual(expect.arrayContaining(['h264', 'aac']));
    // the new part starts where the dead one's last complete segment ended
    expect(mp4.durationS).toBeGreaterThan(wallS - 1);
  }, 60_000);

  it('a dashboard that crashes mid-recording resumes it after its restart; what came before plays', async () => {
    const t0 = Date.now();
    const rec = await start();
    await sleep(7000);
    const beforeCrashS = (Date.now() - t0) / 1000;
    await dash.crash();
    await dash.restart();
    await until(
      async () => (await events(rec.id)).some((e) => e.type === 'discontinuity'),
      15_000,
      'resumed',
    );
    await sleep(4000);
    const done = await stop();
    expect(done.state).toBe('complete');
    const mp4 = await download(done);
    expect(mp4.codecs).toEqual(expect.arrayContaining(['h264', 'aac']));
    // at most the segment being written when it crashed is lost (segments are about 2 s)
    expect(mp4.durationS).toBeGreaterThan(beforeCrashS - 3);
  }, 90_000);

  it("keeps a room's recordings after it is deleted; the room's invite still opens them", async () => {
    const list = await dash.api<{ recordings: Recording[] }>('GET', `/api/recordings?room=${roomId}`);
    expect(list.body.recordings.length).toBeGreaterThanOrEqual(3);
    expect((await dash.api('DELETE', `/api/rooms/${roomId}`)).status).toBe(204);
    const invite = new URL(links.viewer).hash.replace('#invite=', '');
    const res = await fetch(`${dash.url}/api/rooms/${roomId}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ invite, name: 'late' }),
    });
    expect(res.status).toBe(200);
    const ended = (await res.json()) as { ended: boolean; token: string; role: string };
    expect(ended).toMatchObject({ ended: true, role: 'viewer' });
    const mine = await dash.api<{ recordings: Recording[] }>(
      'GET',
      `/api/recordings?room=${roomId}`,
      undefined,
      ended.token,
    );
    expect(mine.status).toBe(200);
    expect(mine.body.recordings.map((r) => r.id).sort()).toEqual(
      list.body.recordings.map((r) => r.id).sort(),
    );
    // a viewer may watch, not delete
    expect(
      (await dash.api('DELETE', `/api/recordings/${mine.body.recordings[0]!.id}`, undefined, ended.token))
        .status,
    ).toBe(403);
    const wrong = await fetch(`${dash.url}/api/rooms/${roomId}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ invite: 'not-an-invite', name: 'x' }),
    });
    expect(wrong.status).toBe(401);
  }, 30_000);
});
