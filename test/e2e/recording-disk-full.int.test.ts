import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Recording, RecordingTimelineEntry, WebhookEvent } from '@boxroom/contracts';
import { until } from '../support/agent-helpers.js';
import { DashboardProcess } from '../support/dashboard-process.js';

/**
 * A recording that runs out of disk stops as `partial`, says so on its timeline and in a webhook,
 * and the room's live stream goes on. "Out of disk" is BOXROOM_RECORDINGS_MIN_FREE_MB set above
 * what any disk here has: the recorder's own check, the same path a full disk takes.
 */
describe('a recording that runs out of disk (local room, real recorder)', () => {
  let dash: DashboardProcess;
  let hooks: Server;
  const received: WebhookEvent[] = [];
  let roomId: string;
  let viewerLink: string;

  beforeAll(async () => {
    hooks = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body) as WebhookEvent);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
    const port = (hooks.address() as AddressInfo).port;
    dash = await DashboardProcess.start({
      driver: 'local',
      env: {
        BOXROOM_LOG_LEVEL: process.env.BOXROOM_E2E_LOG_LEVEL ?? 'warn',
        BOXROOM_WEBHOOK_URL: `http://127.0.0.1:${port}/hooks`,
        BOXROOM_RECORDINGS_MIN_FREE_MB: String(1_000_000_000),
      },
    });
    const room = await dash.createReadyRoom({ width: 640, height: 360, fps: 15, app: 'terminal' });
    roomId = room.id;
    viewerLink = room.links.viewer;
  }, 60_000);

  afterAll(async () => {
    await dash?.teardown();
    await new Promise((r) => hooks?.close(r));
  }, 60_000);

  it('stops as partial with a warning and a webhook; the room keeps streaming', async () => {
    const started = await dash.api<{ recording: Recording }>('POST', `/api/rooms/${roomId}/recording/start`);
    expect(started.status).toBe(200);
    const rid = started.body.recording.id;
    let rec: Recording | undefined;
    await until(
      async () => {
        rec = (await dash.api<Recording>('GET', `/api/recordings/${rid}`)).body;
        return rec.state !== 'recording';
      },
      30_000,
      'the recording to stop by itself',
    );
    expect(rec!.state).toBe('partial');
    expect(rec!.endedAt).not.toBeNull();

    const events = (await dash.api<RecordingTimelineEntry[]>('GET', `/api/recordings/${rid}/events`)).body;
    expect(events.some((e) => e.type === 'warning')).toBe(true);
    expect(events.some((e) => e.type === 'recording.stop')).toBe(true);

    await until(
      async () => received.some((e) => e.type === 'recording.finished'),
      15_000,
      'the recording.finished webhook',
    );
    const finished = received.find((e) => e.type === 'recording.finished');
    expect(finished).toMatchObject({ room: roomId, data: { recordingId: rid, state: 'partial' } });
    expect(received.some((e) => e.type === 'recording.started' && e.data.recordingId === rid)).toBe(true);

    // the live path is untouched: the room is ready and its stream answers with FLV
    expect((await dash.api<{ status: string }>('GET', `/api/rooms/${roomId}`)).body.status).toBe('ready');
    const joined = await fetch(`${dash.url}/api/rooms/${roomId}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ invite: new URL(viewerLink).hash.replace('#invite=', ''), name: 'viewer' }),
    });
    expect(joined.status).toBe(200);
    const { token } = (await joined.json()) as { token: string };
    const flv = await fetch(`${dash.url}/rooms/${roomId}/stream.flv?token=${token}`);
    expect(flv.status).toBe(200);
    const reader = flv.body!.getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value!).subarray(0, 3).toString('latin1')).toBe('FLV');
    await reader.cancel();
    // and a stopped recording can be started again
    const again = await dash.api<{ recording: Recording }>('POST', `/api/rooms/${roomId}/recording/start`);
    expect(again.status).toBe(200);
    expect(again.body.recording.id).not.toBe(rid);
  }, 90_000);
});
