import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Value } from 'typebox/value';
import { AGENT_AUDIENCE, AgentMetrics, WS_CLOSE } from '@boxroom/contracts';
import { loadSecrets } from '../../dashboard/src/secrets/secret-store.js';
import { until } from '../support/agent-helpers.js';
import { DashboardProcess } from '../support/dashboard-process.js';
import {
  FLV_TAG_VIDEO,
  isAvcKeyframe,
  readFlvStream,
  readFlvWebSocket,
  waitForTag,
  type FlvReader,
} from '../support/flv-reader.js';
import { signToken } from '../support/keys.js';

const READERS = 50;
/** HTTP-FLV readers (the web player's default transport) besides the WS ones, through the same relay */
const HTTP_READERS = 10;

interface Reader {
  ws: WebSocket;
  flv: FlvReader;
  /** performance.now(), the clock of the reader's tag times */
  openedAt: number;
  closed: Promise<{ code: number; reason: string }>;
}

interface HttpReader {
  flv: FlvReader;
  openedAt: number;
  /** the response's status and content type, once its headers came */
  head: Promise<{ status: number; type: string | undefined }>;
  /** the response ended (HTTP cannot say why) */
  ended: Promise<void>;
  isOpen(): boolean;
  stop(): void;
}

/**
 * The relay tier end to end (BOXROOM_RELAY=on, the default): a real dashboard process and a real room
 * of the local driver (Xvfb, ffmpeg, the agent). Many WS-FLV and HTTP-FLV readers through one
 * dashboard cost the agent one upstream; the agent still decides who watches (a kick closes relayed
 * WS viewers with 4412 and ends HTTP ones), and a room deleted closes them.
 */
describe('relay fan-out through a dashboard (local driver, real room)', () => {
  let dash: DashboardProcess;
  let roomId: string;
  let links: { participant: string; viewer: string };
  const readers: Reader[] = [];
  const httpReaders: HttpReader[] = [];

  const join = async (role: 'participant' | 'viewer', name: string) => {
    const invite = new URL(links[role]).hash.replace('#invite=', '');
    const res = await fetch(`${dash.url}/api/rooms/${roomId}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ invite, name }),
    });
    return (await res.json()) as { token: string; participantId: string };
  };
  const openReader = (token: string): Reader => {
    const ws = new WebSocket(`${dash.url.replace('http', 'ws')}/rooms/${roomId}/stream?token=${token}`, {
      perMessageDeflate: false,
    });
    ws.on('error', () => {});
    const r: Reader = {
      ws,
      flv: readFlvWebSocket(ws, { keepTags: true }),
      openedAt: performance.now(),
      closed: new Promise((resolve) =>
        ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
      ),
    };
    readers.push(r);
    return r;
  };
  const openHttpReader = (token: string): HttpReader => {
    let stop = () => {};
    let open = true;
    let ended = () => {};
    const r: HttpReader = {
      flv: null as unknown as FlvReader,
      openedAt: performance.now(),
      head: null as unknown as HttpReader['head'],
      ended: new Promise<void>((resolve) => (ended = resolve)),
      isOpen: () => open,
      stop: () => stop(),
    };
    const done = () => {
      open = false;
      ended();
    };
    r.head = new Promise((resolve, reject) => {
      const req = get(`${dash.url}/rooms/${roomId}/stream.flv?token=${token}`, (res) => {
        r.flv = readFlvStream(res, { keepTags: true });
        res.once('close', done);
        resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] });
      });
      req.on('error', (err) => {
        done();
        reject(err);
      });
      stop = () => req.destroy();
    });
    httpReaders.push(r);
    return r;
  };
  /** GET /metrics of the room's agent itself, with a dashboard token signed by this dashboard's key. */
  const agentMetrics = async (): Promise<AgentMetrics> => {
    const secrets = await loadSecrets(dash.dataDir, dash.adminToken);
    const token = await signToken(
      { privatePem: secrets.privateKeyPem, publicPem: secrets.publicKeyPem },
      { room: roomId, sub: 'boxroom-dashboard', role: 'operator', aud: AGENT_AUDIENCE, ttlS: 60 },
    );
    const { port } = dash.localRoom(roomId);
    const body: unknown = await (await fetch(`http://127.0.0.1:${port}/metrics?token=${token}`)).json();
    if (!Value.Check(AgentMetrics, body)) throw new Error('the agent`s /metrics is no AgentMetrics');
    return body;
  };
  const dashboardMetric = async (name: string): Promise<number> => {
    const res = await fetch(`${dash.url}/metrics`, {
      headers: { authorization: `Bearer ${dash.adminToken}` },
    });
    const line = (await res.text()).split('\n').find((l) => l.startsWith(`${name} `));
    return Number(line?.split(' ')[1]);
  };

  beforeAll(async () => {
    dash = await DashboardProcess.start({
      driver: 'local',
      env: {
        BOXROOM_LOG_LEVEL: process.env.BOXROOM_E2E_LOG_LEVEL ?? 'warn',
        // one viewer token opens every reader: the socket quota is per token subject
        BOXROOM_MAX_SOCKETS_PER_PRINCIPAL: String(READERS + 10),
      },
    });
    const room = await dash.createReadyRoom({ width: 320, height: 240, fps: 15, app: 'terminal' });
    roomId = room.id;
    links = room.links;
  }, 60_000);

  afterAll(async () => {
    for (const r of readers) r.ws.terminate();
    for (const r of httpReaders) r.stop();
    await dash?.teardown();
  }, 60_000);

  it(`${READERS} WS and ${HTTP_READERS} HTTP-FLV readers through one dashboard: one upstream at the agent, a keyframe for each within 1 s`, async () => {
    const { token } = await join('viewer', 'crowd');
    const crowd = Array.from({ length: READERS }, () => openReader(token));
    const httpCrowd = Array.from({ length: HTTP_READERS }, () => openHttpReader(token));
    const firstKeyframeMs = await Promise.all([
      ...crowd.map(async (r) => (await waitForTag(r.flv, isAvcKeyframe, 5000)).receivedAt - r.openedAt),
      ...httpCrowd.map(async (r) => {
        expect(await r.head).toEqual({ status: 200, type: 'video/x-flv' });
        return (await waitForTag(r.flv, isAvcKeyframe, 5000)).receivedAt - r.openedAt;
      }),
    ]);
    expect(
      Math.max(...firstKeyframeMs),
      `ms to the first keyframe: ${firstKeyframeMs.join(', ')}`,
    ).toBeLessThan(1000);
    await until(
      async () => {
        const m = await agentMetrics();
        return m.relayUpstreams === 1 && m.viewers === READERS + HTTP_READERS;
      },
      5000,
      `the agent to count ${READERS + HTTP_READERS} relayed viewers on one upstream`,
    );
    expect(await dashboardMetric('boxroom_relay_upstreams')).toBe(1);
    expect(await dashboardMetric('boxroom_relay_viewers')).toBe(READERS + HTTP_READERS);
  }, 60_000);

  it('a viewer joining late starts decoding at once: the first video frame after the sequence header is a keyframe', async () => {
    const { token } = await join('viewer', 'late');
    const r = openReader(token);
    await waitForTag(r.flv, isAvcKeyframe, 2000);
    const video = r.flv.tags.filter((t) => t.type === FLV_TAG_VIDEO);
    expect(video[0]).toMatchObject({ avcPacketType: 0 });
    expect(video[1]).toMatchObject({ avcPacketType: 1, frameType: 1 });
  });

  it('a kick closes that participant`s relayed viewers with 4412 and ends its HTTP-FLV ones; the others play on', async () => {
    const kim = await join('participant', 'kim');
    const kims = [openReader(kim.token), openReader(kim.token)];
    const kimsHttp = [openHttpReader(kim.token), openHttpReader(kim.token)];
    await Promise.all(kims.map((r) => waitForTag(r.flv, isAvcKeyframe, 5000)));
    for (const r of kimsHttp) expect((await r.head).status).toBe(200);
    await Promise.all(kimsHttp.map((r) => waitForTag(r.flv, isAvcKeyframe, 5000)));
    const t0 = Date.now();
    const kicked = await dash.api('POST', `/api/rooms/${roomId}/participants/${kim.participantId}/kick`, {});
    expect(kicked.status).toBeLessThan(300);
    for (const r of kims) expect((await r.closed).code).toBe(WS_CLOSE.kicked);
    await Promise.all(kimsHttp.map((r) => r.ended));
    expect(Date.now() - t0).toBeLessThan(3000);
    const others = readers.filter((r) => !kims.includes(r));
    expect(others.every((r) => r.ws.readyState === WebSocket.OPEN)).toBe(true);
    expect(httpReaders.filter((r) => !kimsHttp.includes(r)).every((r) => r.isOpen())).toBe(true);
    // and kim cannot come back through the relay: 4412 on WS, 401 as the agent's /stream.flv answers
    expect((await openReader(kim.token).closed).code).toBe(WS_CLOSE.kicked);
    expect((await openHttpReader(kim.token).head).status).toBe(401);
  }, 30_000);

  it('deleting the room closes every relayed viewer', async () => {
    const open = readers.filter((r) => r.ws.readyState === WebSocket.OPEN);
    expect(open.length).toBeGreaterThan(READERS);
    const openHttp = httpReaders.filter((r) => r.isOpen());
    expect(openHttp).toHaveLength(HTTP_READERS);
    expect((await dash.api('DELETE', `/api/rooms/${roomId}`)).status).toBe(204);
    const codes = await Promise.all(open.map(async (r) => (await r.closed).code));
    expect(new Set(codes)).toEqual(new Set([WS_CLOSE.unavailable]));
    await Promise.all(openHttp.map((r) => r.ended));
    await until(async () => (await dashboardMetric('boxroom_relay_upstreams')) === 0, 10_000, 'no upstream');
  }, 30_000);
});
