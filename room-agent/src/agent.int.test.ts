import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AGENT_AUDIENCE, type AgentHealth, type AgentMetrics, type SessionEvent } from '@boxroom/contracts';
import { alive, startAgent, type RunningAgent } from '../../test/support/agent-process.js';
import {
  isAacFrame,
  isAvcFrame,
  isAvcKeyframe,
  readFlvStream,
  readFlvWebSocket,
  waitForTag,
  type FlvReader,
} from '../../test/support/flv-reader.js';
import { postJson, until, xHeld } from '../../test/support/agent-helpers.js';
import { descendantPids, listeningTcpPorts } from '../../test/support/processes.js';
import { RfbTestClient } from '../../test/support/rfb-test-client.js';

const post = (agent: RunningAgent, path: string, token: string, body?: unknown) =>
  postJson(`${agent.url}${path}`, token, body);

const run = promisify(execFile);
const WIDTH = 1024;
const HEIGHT = 576;
const FPS = 25;

/** Opens GET url as an FLV reader; returns it with a function that ends the request. */
function httpFlv(
  url: string,
): Promise<{ reader: FlvReader; status: number; close: () => void; openedAt: number }> {
  return new Promise((resolve, reject) => {
    const openedAt = performance.now();
    const req = get(url, (res) =>
      resolve({
        reader: readFlvStream(res),
        status: res.statusCode ?? 0,
        close: () => req.destroy(),
        openedAt,
      }),
    );
    req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
  });
}

/** Resolves with the close code and reason of a WebSocket the server closes. */
function wsClose(url: string): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('error', reject);
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
}

/** Keeps the room's screen as a test artifact, to see what went wrong. */
async function saveSnapshot(agent: RunningAgent, token: string, name: string): Promise<void> {
  const res = await fetch(`${agent.url}/snapshot.jpg?token=${token}`);
  mkdirSync('test-artifacts', { recursive: true });
  writeFileSync(`test-artifacts/${name}`, Buffer.from(await res.arrayBuffer()));
}

/** Width and height from a JPEG's start-of-frame segment. */
function jpegSize(jpeg: Buffer): { width: number; height: number } | null {
  let i = 2;
  while (i + 9 < jpeg.length && jpeg[i] === 0xff) {
    const marker = jpeg[i + 1]!;
    if (marker >= 0xc0 && marker <= 0xc3)
      return { height: jpeg.readUInt16BE(i + 5), width: jpeg.readUInt16BE(i + 7) };
    i += 2 + jpeg.readUInt16BE(i + 2);
  }
  return null;
}

describe('room agent with the real Xvfb, PulseAudio, x11vnc, ffmpeg and node-media-server', () => {
  let agent: RunningAgent;
  let op: string;
  let alice: string;
  let bob: string;
  let viewer: string;
  /** the first answer of the starting room, then the one held with ?wait= until it was ready */
  let firstAnswer: number;
  let held: { status: number; body: AgentHealth; at: number } | null = null;

  beforeAll(async () => {
    agent = await startAgent({
      BOXROOM_WIDTH: String(WIDTH),
      BOXROOM_HEIGHT: String(HEIGHT),
      BOXROOM_FPS: String(FPS),
      BOXROOM_CONTROL_GRACE_MS: '0',
      // the sound stays awake between tests that look at both encoders (its sleep: capture.int)
      BOXROOM_SOUND_IDLE_MS: '0',
    });
    firstAnswer = await until(
      () =>
        agent.health().then(
          (h) => h.status,
          () => 0,
        ),
      20_000,
      'the agent to answer /healthz',
    );
    if (firstAnswer === 503) {
      const res = await fetch(`${agent.url}/healthz?wait=10000`);
      held = { status: res.status, body: (await res.json()) as AgentHealth, at: Date.now() };
    }
    await agent.waitHealthy();
    [op, alice, bob, viewer] = await Promise.all([
      agent.token('op', 'operator'),
      agent.token('alice', 'participant'),
      agent.token('bob', 'participant'),
      agent.token('vic', 'viewer'),
    ]);
  });

  afterAll(async () => {
    if (agent && agent.proc.exitCode === null) await agent.stop();
  });

  it('sends H.264 and AAC tags within 1 s of connecting, over HTTP-FLV and WS-FLV', async () => {
    const http = await httpFlv(`${agent.url}/stream.flv?token=${viewer}`);
    expect(http.status).toBe(200);
    const key = await waitForTag(http.reader, isAvcKeyframe, 1000);
    const aac = await waitForTag(http.reader, isAacFrame, 1000);
    expect(key.receivedAt - http.openedAt).toBeLessThan(1000);
    expect(aac.receivedAt - http.openedAt).toBeLessThan(1000);
    http.close();

    const openedAt = performance.now();
    const ws = new WebSocket(`${agent.wsUrl}/stream?token=${viewer}`);
    const reader = readFlvWebSocket(ws);
    const wsKey = await waitForTag(reader, isAvcKeyframe, 1000);
    const wsAac = await waitForTag(reader, isAacFrame, 1000);
    expect(wsKey.receivedAt - openedAt).toBeLessThan(1000);
    expect(wsAac.receivedAt - openedAt).toBeLessThan(1000);
    ws.close();
  });

  it('streams h264 + aac at the configured size and frame rate (ffprobe)', async () => {
    const { stdout } = await run(
      'ffprobe',
      [
        '-v',
        'error',
        // Rate from the first frames' timestamps, not a long estimate: with damage capture a still
        // screen sends only keepalive frames, and a full estimate would take ffprobe ~20 s and
        // report the still screen's rate. desktop/capture.int.test.ts checks the rates actually sent.
        '-fpsprobesize',
        '0',
        '-show_entries',
        'stream=codec_type,codec_name,width,height,avg_frame_rate,sample_rate',
        '-of',
        'json',
        `${agent.url}/stream.flv?token=${viewer}`,
      ],
      { timeout: 15_000 },
    );
    const streams = (JSON.parse(stdout) as { streams: Array<Record<string, string | number>> }).streams;
    expect(streams).toHaveLength(2);
    const video = streams.find((s) => s.codec_type === 'video');
    const audio = streams.find((s) => s.codec_type === 'audio');
    expect(video).toMatchObject({ codec_name: 'h264', width: WIDTH, height: HEIGHT });
    // the rate the stream declares (onMetaData's framerate): frames come only on change, stamped by
    // the wall clock, so a rate guessed from the first frames' spacing (r_frame_rate) says nothing
    const [num, den] = String(video!.avg_frame_rate).split('/').map(Number);
    expect(Math.abs(num! / den! - FPS) / FPS, `avg_frame_rate ${video!.avg_frame_rate}`).toBeLessThan(0.03);
    expect(audio).toMatchObject({ codec_name: 'aac', sample_rate: '48000' });
  });

  it('GET /healthz?wait= holds a starting room`s answer until the room is ready, a ready one answers at once', async () => {
    // the processes start before the HTTP side listens, and are ready hundreds of ms later
    expect(firstAnswer).toBe(503);
    expect(held?.status).toBe(200);
    expect(held!.body.status).toBe('ok');
    const readyAt = Math.max(...held!.body.processes.map((p) => p.since));
    expect(held!.at - readyAt).toBeGreaterThanOrEqual(0);
    expect(held!.at - readyAt).toBeLessThan(250);

    const t0 = Date.now();
    const res = await fetch(`${agent.url}/healthz?wait=10000`);
    expect(res.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(250);
  });

  it('refuses every endpoint but /healthz without a valid token of this room', async () => {
    const otherRoom = await (
      await import('../../test/support/keys.js')
    ).signToken(agent.keys, { room: 'elsewhere', sub: 'x', role: 'operator' });
    for (const t of ['', 'garbage', otherRoom]) {
      const q = t ? `?token=${t}` : '';
      for (const path of ['/stream.flv', '/snapshot.jpg', '/state', '/metrics']) {
        const res = await fetch(`${agent.url}${path}${q}`);
        expect(res.status, `${path} ${t.slice(0, 8)}`).toBe(401);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
      }
      const res = await fetch(`${agent.url}/control/request${q}`, { method: 'POST' });
      expect(res.status).toBe(401);
      for (const path of ['/stream', '/input', '/session']) {
        expect((await wsClose(`${agent.wsUrl}${path}${q}`)).code, path).toBe(4401);
      }
    }
    expect((await fetch(`${agent.url}/healthz`)).status).toBe(200);
  });

  it('returns a JPEG snapshot of the screen', async () => {
    const res = await fetch(`${agent.url}/snapshot.jpg`, { headers: { authorization: `Bearer ${viewer}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    const jpeg = Buffer.from(await res.arrayBuffer());
    expect(jpeg.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(jpeg.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9]));
    expect(jpegSize(jpeg)).toEqual({ width: WIDTH, height: HEIGHT });
  });

  it('greets a session with the full state, then announces control changes', async () => {
    const ws = new WebSocket(`${agent.wsUrl}/session?token=${bob}`);
    const events: SessionEvent[] = [];
    ws.on('message', (d) => events.push(JSON.parse(String(d)) as SessionEvent));
    // a ping sent the moment the socket opens, while the agent still checks the token, is answered
    ws.once('open', () => ws.send(JSON.stringify({ type: 'ping', t: 42 })));
    await until(
      async () => events.find((e) => e.type === 'pong' && e.t === 42),
      3000,
      'the early ping`s pong',
    );
    expect(events[0]).toMatchObject({
      type: 'hello',
      you: { id: 'bob', role: 'participant' },
      room: { width: WIDTH, height: HEIGHT, fps: FPS },
    });
    expect((await post(agent, '/control/request', bob)).body).toMatchObject({ holder: { id: 'bob' } });
    await until(
      async () => events.find((e) => e.type === 'control' && e.control.holder?.id === 'bob'),
      3000,
      'control event',
    );
    expect((await post(agent, '/control/release', bob)).body).toMatchObject({ holder: null });
    ws.close();
  });

  it('lets only the controller send input, and the controller`s keys reach the terminal', async () => {
    expect((await post(agent, '/control/request', viewer)).status).toBe(403);
    expect((await post(agent, '/control/request', alice)).body).toMatchObject({ holder: { id: 'alice' } });
    expect((await post(agent, '/control/request', bob)).body).toMatchObject({
      holder: { id: 'alice' },
      queue: [{ id: 'bob' }],
    });

    const bobInput = await wsClose(`${agent.wsUrl}/input?token=${bob}`);
    expect(bobInput).toEqual({ code: 4403, reason: 'you are not in control' });

    const marker = `/tmp/boxroom-typed-${process.pid}-${Date.now()}`;
    rmSync(marker, { force: true });
    const a = await RfbTestClient.open(`${agent.wsUrl}/input?token=${alice}`);
    await a.handshake();
    expect([a.width, a.height]).toEqual([WIDTH, HEIGHT]);
    await a.waitForFirstUpdate();
    a.type(`touch ${marker}`, true);
    await until(async () => existsSync(marker), 5000, 'the typed command to run in the terminal').catch(
      async (err: unknown) => {
        await saveSnapshot(agent, viewer, 'agent-typing-failed.jpg');
        throw err;
      },
    );
    rmSync(marker, { force: true });

    // Alice holds Shift and the left button; an operator takes control.
    a.pointer(100, 100, 0);
    a.key(0xffe1, true);
    a.pointer(100, 100, 1);
    await until(
      async () => (await xHeld(agent.display, agent.runDir)).length >= 2,
      3000,
      'Shift and button 1 held',
    );
    const took = await post(agent, '/control/take', op);
    expect(took.body).toMatchObject({ holder: { id: 'op' } });
    expect(await a.closed).toMatchObject({ code: 4409 });
    expect(await xHeld(agent.display, agent.runDir)).toEqual([]);

    const o = await RfbTestClient.open(`${agent.wsUrl}/input?token=${op}`);
    await o.handshake();
    await o.waitForFirstUpdate();
    o.pointer(321, 123, 0);
    await until(
      async () => {
        const { stdout } = await run('xdotool', ['getmouselocation'], {
          env: agent.xEnv(),
        });
        return stdout.startsWith('x:321 y:123');
      },
      3000,
      'the new controller`s pointer move',
    );
    // the room's figures count what reached the desktop; only the dashboard's tokens may read them
    const { signToken } = await import('../../test/support/keys.js');
    const dashboard = await signToken(agent.keys, {
      room: agent.roomId,
      sub: 'boxroom-metrics',
      role: 'operator',
      aud: AGENT_AUDIENCE,
    });
    expect((await fetch(`${agent.url}/metrics?token=${op}`)).status).toBe(403);
    const metrics = (await (await fetch(`${agent.url}/metrics?token=${dashboard}`)).json()) as AgentMetrics;
    // `touch <marker>` and Enter, down and up, plus the pointer events
    expect(metrics.inputEvents).toBeGreaterThanOrEqual(2 * (`touch ${marker}`.length + 1) + 4);
    expect(metrics.controllerPresent).toBe(true);
    expect(metrics.frames).toBeGreaterThan(0);
    o.close();
    await post(agent, '/control/reset', op);
  });

  it.each(['ffmpeg', 'x11vnc', 'xvfb'])(
    // how fast is a figure for `npm run bench -- --only chaos`; here: that the same viewer gets video again
    'restarts %s when it is killed; an open viewer gets video again without reconnecting',
    async (name) => {
      const before = (await agent.health()).body;
      const proc = before.processes.find((p) => p.name === name)!;
      expect(proc.status).toBe('ready');
      const viewerStream = await httpFlv(`${agent.url}/stream.flv?token=${viewer}`);
      await waitForTag(viewerStream.reader, isAvcFrame, 2000);

      const killedAt = Date.now();
      const killedAtPerf = performance.now();
      process.kill(proc.pid!, 'SIGKILL');
      const recovered = await until(
        async () => {
          const h = await agent.health();
          const p = h.body.processes.find((x) => x.name === name)!;
          return h.status === 200 && p.restarts > proc.restarts ? h.body : null;
        },
        10_000,
        `${name} to recover`,
      );
      const events = recovered.events.filter((e) => e.process === name && e.at >= killedAt);
      const outage = events.findIndex((e) => e.status !== 'ready');
      expect(outage, JSON.stringify(events)).toBeGreaterThanOrEqual(0);
      expect(events.slice(outage).some((e) => e.status === 'ready')).toBe(true);

      const fresh = await waitForTag(
        viewerStream.reader,
        (t) => isAvcFrame(t) && t.receivedAt > killedAtPerf + 50 && Date.now() - killedAt > 0,
        10_000,
      );
      expect(fresh.receivedAt).toBeGreaterThan(killedAtPerf);
      viewerStream.close();
    },
  );

  it('puts no secret on any command line, and the media server listens on no RTMP port', async () => {
    const pids = descendantPids(agent.proc.pid!);
    const cmdlines = pids
      .map((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
        } catch {
          return ''; // exited in between
        }
      })
      .filter((c) => c !== '');
    // the whole room: Xvfb, PulseAudio, openbox, xterm and its shell, x11vnc, boxroom-capture, ffmpeg
    expect(cmdlines.length).toBeGreaterThanOrEqual(7);
    const ffmpegs = cmdlines.filter((c) => c.startsWith('ffmpeg '));
    // the picture's FLV on boxroom-capture's stdout (it encodes it), the sound's on the ffmpeg's fd 3:
    // pipes to the agent, no URL
    expect(cmdlines.filter((c) => /\/boxroom-capture --display /.test(c))).toHaveLength(1);
    expect(ffmpegs).toHaveLength(1);
    expect(ffmpegs[0]).toMatch(/ -f flv pipe:3 $/);
    for (const cmd of cmdlines) {
      expect(cmd).not.toMatch(/sign=|rtmp:|token|eyJ[\w-]+\.|BEGIN|[0-9a-f]{32}/i);
    }
    // the agent's own port alone: NMS runs without its HTTP listener (BOXROOM_MEDIA_HTTP_PORT=0) and
    // opens no RTMP one; x11vnc's socket is a unix one
    expect(listeningTcpPorts(agent.proc.pid!)).toEqual([agent.port]);
  });

  it('stops every child within 5 s on SIGTERM and leaves no process or lock file', async () => {
    const health: AgentHealth = (await agent.health()).body;
    const pids = health.processes.map((p) => p.pid).filter((p): p is number => p !== null);
    expect(health.processes.map((p) => p.name)).toEqual([
      ...['xvfb', 'pulse', 'wm', 'app', 'x11vnc', 'clipboard', 'ffmpeg'],
    ]);
    expect(pids.length).toBe(7);
    const ms = await agent.stop();
    expect(ms).toBeLessThan(5000);
    expect(agent.proc.exitCode).toBe(0);
    expect(pids.filter(alive)).toEqual([]);
    expect(existsSync(`/tmp/.X${agent.display}-lock`)).toBe(false);
    expect(existsSync(`/tmp/.X11-unix/X${agent.display}`)).toBe(false);
  });
});
