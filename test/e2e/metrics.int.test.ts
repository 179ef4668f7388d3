import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession, until, xdotool, type SessionRecorder } from '../support/agent-helpers.js';
import { DashboardProcess } from '../support/dashboard-process.js';
import { isAvcFrame, readFlvStream, waitForTag, type FlvReader } from '../support/flv-reader.js';

const FPS = 15;
const METRICS_TOKEN = `metrics-${process.pid}-0123456789abcdef`;
const VIEWERS = 3;

/** Every sample of a Prometheus text answer: `name{labels}` -> value. */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

/**
 * /metrics during a live room of the local driver (real agent, Xvfb, capture, ffmpeg, media server):
 * the figures match what the test does to the room.
 */
describe('metrics of a live room (local driver)', () => {
  let dash: DashboardProcess;
  let roomId: string;
  let viewerInvite: string;
  const readers: Array<{ reader: FlvReader; end: () => void }> = [];
  let session: SessionRecorder | null = null;

  const scrape = async (token = METRICS_TOKEN) => {
    const res = await fetch(`${dash.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    return parse(await res.text());
  };
  const series = (m: Map<string, number>, name: string, extra = '') =>
    m.get(`${name}{room="${roomId}"${extra}}`);

  const join = async (name: string) =>
    (
      await fetch(`${dash.url}/api/rooms/${roomId}/join`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ invite: viewerInvite, name }),
      }).then((r) => r.json() as Promise<{ token: string }>)
    ).token;

  /** An HTTP-FLV reader through the dashboard's edge, as a player's. */
  const openReader = async (token: string) => {
    const url = new URL(`${dash.url}/rooms/${roomId}/stream.flv?token=${token}`);
    const reader = await new Promise<{ reader: FlvReader; end: () => void }>((resolve, reject) => {
      const req = request(url, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`stream.flv: ${res.statusCode}`));
        resolve({ reader: readFlvStream(res, { keepTags: false }), end: () => req.destroy() });
      });
      req.on('error', reject);
      req.end();
    });
    readers.push(reader);
    return reader;
  };

  beforeAll(async () => {
    dash = await DashboardProcess.start({
      driver: 'local',
      env: {
        BOXROOM_LOG_LEVEL: process.env.BOXROOM_E2E_LOG_LEVEL ?? 'warn',
        BOXROOM_METRICS_TOKEN: METRICS_TOKEN,
      },
    });
    const room = await dash.createReadyRoom({ width: 640, height: 360, fps: FPS, app: 'terminal' });
    roomId = room.id;
    viewerInvite = new URL(room.links.viewer).hash.replace('#invite=', '');
  }, 60_000);

  afterAll(async () => {
    session?.close();
    for (const r of readers.splice(0)) r.end();
    await dash?.teardown();
  }, 60_000);

  it('answers the admin and metrics tokens, refuses anyone else with 401', async () => {
    expect((await fetch(`${dash.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${dash.url}/metrics`, { headers: { authorization: 'Bearer not-the-token' } });
    expect(wrong.status).toBe(401);
    const viewerToken = await join('nosy');
    const asViewer = await fetch(`${dash.url}/metrics`, {
      headers: { authorization: `Bearer ${viewerToken}` },
    });
    expect(asViewer.status).toBe(401);
    expect(series(await scrape(dash.adminToken), 'boxroom_room_viewers')).toBe(0);
    expect((await scrape()).get('boxroom_rooms{status="ready"}')).toBe(1);
  });

  it('shows viewers equal to the open readers, and the frame rate near the room’s while the screen changes', async () => {
    const token = await join('watcher');
    for (let i = 0; i < VIEWERS; i++) await openReader(token);
    // every reader gets frames: the stream is live for each
    await Promise.all(readers.map((r) => waitForTag(r.reader, isAvcFrame, 10_000)));
    expect(series(await scrape(), 'boxroom_room_viewers')).toBe(VIEWERS);

    // the pointer sweeps across the screen for 4 s: boxroom-capture sends a frame for each change,
    // at most FPS a second
    const { display, runDir } = dash.localRoom(roomId);
    const moves: string[] = [];
    for (let i = 0; i < 200; i++)
      moves.push('mousemove', String(20 + ((i * 7) % 600)), String(20 + ((i * 3) % 320)), 'sleep', '0.02');
    const sweeping = xdotool(display, runDir, ...moves);
    await new Promise((r) => setTimeout(r, 500));
    const before = await scrape();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 3000));
    const after = await scrape();
    const seconds = (performance.now() - t0) / 1000;
    await sweeping;
    const fps =
      (series(after, 'boxroom_room_frames_total')! - series(before, 'boxroom_room_frames_total')!) / seconds;
    expect(fps).toBeGreaterThan(FPS * 0.6);
    expect(fps).toBeLessThan(FPS * 1.25);
    expect(series(after, 'boxroom_room_bitrate_bits_per_second')).toBeGreaterThan(0);
    expect(series(after, 'boxroom_room_stream_bytes_total')).toBeGreaterThan(
      series(before, 'boxroom_room_stream_bytes_total')!,
    );
    // every frame's encode time is observed; most are well under a second
    const encoded = series(after, 'boxroom_room_encode_seconds_count')!;
    expect(encoded).toBe(series(after, 'boxroom_room_frames_total'));
    expect(series(after, 'boxroom_room_encode_seconds_bucket', ',le="1"')! / encoded).toBeGreaterThan(0.9);
    expect(series(after, 'boxroom_room_viewers_dropped_total')).toBe(0);

    // a reader that goes is no longer counted
    readers.pop()!.end();
    await until(
      async () => series(await scrape(), 'boxroom_room_viewers') === VIEWERS - 1,
      5000,
      'the viewer count to drop',
    );
  });

  it('flips the controller flag on take and release', async () => {
    expect(series(await scrape(), 'boxroom_room_controller_present')).toBe(0);
    expect((await dash.api('POST', `/api/rooms/${roomId}/control/take`)).status).toBe(200);
    expect(series(await scrape(), 'boxroom_room_controller_present')).toBe(1);
    expect((await dash.api('POST', `/api/rooms/${roomId}/control/release`)).status).toBe(200);
    expect(series(await scrape(), 'boxroom_room_controller_present')).toBe(0);
  });

  it("counts players' glass-to-glass reports, one per socket per 5 s, bounded", async () => {
    const token = await join('player');
    session = await openSession(`${dash.url.replace('http', 'ws')}/rooms/${roomId}/session?token=${token}`);
    session.ws.send(JSON.stringify({ type: 'latency', glassToGlassMs: 180 }));
    session.ws.send(JSON.stringify({ type: 'latency', glassToGlassMs: 90 })); // too soon: ignored
    const count = await until(
      async () => series(await scrape(), 'boxroom_room_glass_to_glass_seconds_count'),
      5000,
      'the report to be counted',
    );
    expect(count).toBe(1);
    const m = await scrape();
    expect(series(m, 'boxroom_room_glass_to_glass_seconds_sum')).toBeCloseTo(0.18, 6);
    expect(series(m, 'boxroom_room_glass_to_glass_seconds_bucket', ',le="0.15"')).toBe(0);
    expect(series(m, 'boxroom_room_glass_to_glass_seconds_bucket', ',le="0.2"')).toBe(1);
  });

  it("drops a deleted room's series at the next scrape", async () => {
    expect(series(await scrape(), 'boxroom_room_viewers')).toBeDefined();
    expect((await dash.api('DELETE', `/api/rooms/${roomId}`)).status).toBe(204);
    const m = await scrape();
    expect([...m.keys()].filter((k) => k.includes(roomId))).toEqual([]);
  });
});
