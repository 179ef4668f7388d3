import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, get, type IncomingMessage, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WS_CLOSE } from '@boxroom/contracts';
import { StreamFanout } from '@boxroom/media-fanout';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import {
  type FlvReader,
  isAacFrame,
  isAvcFrame,
  isAvcKeyframe,
  readFlvStream,
  readFlvWebSocket,
  waitForTag,
} from '../../../test/support/flv-reader.js';
import { readFileSync } from 'node:fs';
import { lavfiPublishArgs, listeningTcpPorts, ProcessGroup, sleep } from '../../../test/support/processes.js';
import { MediaServer } from './media-server.js';

/** lavfiPublishArgs' sources and codecs, written as the room's ffmpeg writes them (encoder-argv.ts, encodeArgs) */
function twoPipeArgs(): string[] {
  const args = lavfiPublishArgs();
  const inputs = args.slice(0, args.indexOf('-c:v'));
  const file = [
    '-output_ts_offset',
    '0.1',
    '-flvflags',
    'no_duration_filesize',
    '-flush_packets',
    '1',
    '-f',
    'flv',
  ];
  return [
    ...inputs,
    ...[
      '-map',
      '0:v',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-tune',
      'zerolatency',
      '-g',
      '30',
      '-bf',
      '0',
    ],
    ...['-pix_fmt', 'yuv420p', ...file, 'pipe:1'],
    ...['-map', '1:a', '-c:a', 'aac', '-b:a', '96k', ...file, 'pipe:3'],
  ];
}

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
/** above the largest GOP of the test stream (~0.5-1 MB), below the 4 MB default to keep the test short */
const MAX_BACKLOG_BYTES = 1536 * 1024;

describe('media server + fan-out (real NMS and ffmpeg)', () => {
  const procs = new ProcessGroup();
  const openSockets = new Set<WebSocket>();
  const openResponses = new Set<IncomingMessage>();
  let runDir: string;
  let media: MediaServer;
  let fanout: StreamFanout;
  let http: Server;
  let wss: WebSocketServer;
  let base: string;
  let publisher: ChildProcess;

  /**
   * ffmpeg as in a room: the picture's FLV on its stdout and the sound's on fd 3 (a file per track, so
   * neither waits for the other in a muxer), published by the media server in process as one stream
   */
  function publish(): ChildProcess {
    const child = procs.spawn('ffmpeg', twoPipeArgs(), { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    media.publishFrom(child.stdout!, child.stdio[3] as Readable);
    return child;
  }

  function httpViewer(): Promise<{ res: IncomingMessage; reader: FlvReader; openedAt: number }> {
    const openedAt = performance.now();
    return new Promise((resolve, reject) => {
      get(`${base}/stream.flv`, (res) => {
        openResponses.add(res);
        resolve({ res, reader: readFlvStream(res), openedAt });
      }).on('error', reject);
    });
  }

  function wsViewer(keepData = false): Promise<{ ws: WebSocket; reader: FlvReader; openedAt: number }> {
    const openedAt = performance.now();
    const ws = new WebSocket(`${base.replace('http', 'ws')}/stream`);
    openSockets.add(ws);
    const reader = readFlvWebSocket(ws, { keepData });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve({ ws, reader, openedAt }));
      ws.once('error', reject);
    });
  }

  beforeAll(async () => {
    runDir = await mkdtemp(join(tmpdir(), 'boxroom-media-'));
    media = new MediaServer({ streamName: 'room-1', httpPort: 0, runDir, logger });
    await media.start();
    fanout = new StreamFanout(media.source(), { maxBacklogBytes: MAX_BACKLOG_BYTES, logger });
    http = createServer((req, res) => {
      if (req.url === '/stream.flv') fanout.attachHttp(res);
      else res.writeHead(404).end();
    });
    wss = new WebSocketServer({ server: http, path: '/stream', perMessageDeflate: false });
    wss.on('connection', (ws) => fanout.attachWs(ws));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const addr = http.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;

    publisher = publish();
    await media.waitForPublish(AbortSignal.timeout(15_000));
    // let the first GOP arrive, as the supervisor would before telling viewers the room is ready
    await sleep(1500);
  });

  afterAll(async () => {
    for (const ws of openSockets) ws.terminate();
    for (const res of openResponses) res.destroy();
    fanout?.close();
    wss?.close();
    http?.closeAllConnections();
    await new Promise((r) => http?.close(r));
    await procs.killAll();
    await media?.stop();
    await rm(runDir, { recursive: true, force: true });
  });

  it('publishes ffmpeg`s stdout with nothing secret on its command line, and opens no RTMP port', () => {
    expect(media.isPublishing()).toBe(true);
    const cmdline = readFileSync(`/proc/${publisher.pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline.filter((a) => a.startsWith('pipe:'))).toEqual(['pipe:1', 'pipe:3']);
    expect(cmdline.join(' ')).not.toMatch(/sign=|rtmp:|\?/);
    // NMS listens on its HTTP port only (RTMP's 1935 or any other is not opened); the rest is ours
    const httpPort = Number(new URL(base).port);
    expect(listeningTcpPorts()).toEqual([media.httpPort, httpPort].sort((a, b) => a - b));
  });

  it('gives an HTTP-FLV and a WS-FLV viewer H.264 and AAC within 1 s, keyframe first', async () => {
    for (const open of [httpViewer, wsViewer]) {
      const { reader, openedAt } = await open();
      const key = await waitForTag(reader, isAvcKeyframe, 1000);
      const aac = await waitForTag(reader, isAacFrame, 1000);
      expect(key.receivedAt - openedAt).toBeLessThan(1000);
      expect(aac.receivedAt - openedAt).toBeLessThan(1000);
      expect(reader.header).toMatchObject({ hasAudio: true, hasVideo: true });
      // sequence headers before the first frame, and the first frame is a keyframe
      const firstVideo = reader.tags.findIndex(isAvcFrame);
      expect(reader.tags.slice(0, firstVideo).some((t) => t.type === 9 && t.avcPacketType === 0)).toBe(true);
      expect(reader.tags.slice(0, firstVideo).some((t) => t.type === 8 && t.aacPacketType === 0)).toBe(true);
      expect(isAvcKeyframe(reader.tags[firstVideo]!)).toBe(true);
      expect(reader.failed).toBeNull();
    }
    expect(fanout.viewerCount()).toBeGreaterThanOrEqual(2);
  });

  it('gives a viewer one FLV from the two pipes: both tracks` metadata, one timeline, no track waiting', async () => {
    const { reader, openedAt } = await wsViewer(true);
    await sleep(2000);
    const metadata = reader.tags.find((t) => t.type === 18)!;
    expect(metadata.data && metadata.data.toString('latin1')).toMatch(
      /width.*audiosamplerate|audiosamplerate.*width/s,
    );
    const live = reader.tags.filter((t) => t.receivedAt > openedAt + 500); // past the GOP cache
    const audio = live.filter(isAacFrame);
    const video = live.filter(isAvcFrame);
    expect(audio.length).toBeGreaterThan(60); // 46.9 AAC frames per second
    expect(video.length).toBeGreaterThan(40);
    // both sources run in real time from 0 on one timeline: at any moment the newest tag of each
    // track is about as far along; with the tracks offset or one held back this grows to 100s of ms
    const gaps: number[] = [];
    let newestAudio = -1;
    for (const t of live) {
      if (isAacFrame(t)) newestAudio = t.timestamp;
      else if (isAvcFrame(t) && newestAudio >= 0) gaps.push(t.timestamp - newestAudio);
    }
    gaps.sort((a, b) => a - b);
    const p50 = gaps[gaps.length >> 1]!;
    expect(Math.abs(p50), JSON.stringify(gaps)).toBeLessThan(60);
    for (const track of [audio, video])
      expect(track.every((t, i) => i === 0 || t.timestamp >= track[i - 1]!.timestamp)).toBe(true);
  });

  it('refuses unsigned publish and unsigned play (HTTP, WS) at NMS`s HTTP port', async () => {
    // an HTTP-FLV push, unsigned and wrongly signed: NMS ends the request without taking the stream
    const wrongSign = `sign=${Math.floor(Date.now() / 1000) + 60}-${'0'.repeat(32)}`;
    for (const query of ['', `?${wrongSign}`]) {
      const pushStatus = await new Promise<number>((resolve, reject) => {
        const url = `http://127.0.0.1:${media.httpPort}/live/room-1.flv${query}`;
        const req = request(url, { method: 'POST' }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.write(Buffer.from([0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 9, 0, 0, 0, 0]));
      });
      expect(pushStatus).toBe(200);
      expect(media.isPublishing()).toBe(true);
    }

    const httpBody = await new Promise<number>((resolve, reject) => {
      get(`http://127.0.0.1:${media.httpPort}/live/room-1.flv`, (res) => {
        let n = 0;
        res.on('data', (d: Buffer) => (n += d.length));
        res.on('end', () => resolve(n));
      }).on('error', reject);
    });
    expect(httpBody).toBe(0);

    const ws = new WebSocket(`ws://127.0.0.1:${media.httpPort}/live/room-1.flv`);
    let wsBytes = 0;
    ws.on('message', (d: Buffer) => (wsBytes += d.length));
    await new Promise((r) => ws.once('close', r));
    expect(wsBytes).toBe(0);

    // positive control: the same play, signed, does stream
    const signed = await new Promise<FlvReader>((resolve, reject) => {
      get(media.playUrl('http'), (res) => {
        openResponses.add(res);
        resolve(readFlvStream(res));
      }).on('error', reject);
    });
    await waitForTag(signed, isAvcKeyframe, 2000);
  });

  it('drops a viewer that never reads (4408) while a normal viewer continues', async () => {
    const normal = await wsViewer();
    const stalled = await wsViewer();
    stalled.ws.pause();
    const before = fanout.viewerCount();
    const dropped = new Promise<number>((resolve) => {
      const onCount = (n: number) => {
        if (n < before) {
          fanout.off('viewers', onCount);
          resolve(performance.now());
        }
      };
      fanout.on('viewers', onCount);
    });
    const t0 = performance.now();
    const droppedAt = await dropped;
    const normalTags = normal.reader.tags.length;
    const closed = new Promise<number>((resolve) => stalled.ws.once('close', (code) => resolve(code)));
    stalled.ws.resume();
    expect(await closed).toBe(WS_CLOSE.tooSlow);
    await sleep(500);
    expect(normal.reader.tags.length).toBeGreaterThan(normalTags);
    expect(normal.ws.readyState).toBe(WebSocket.OPEN);
    logger.info({ ms: droppedAt - t0 }, 'stalled viewer dropped');
  }, 60_000);

  it('keeps attached viewers playing across a publisher restart, without reconnecting', async () => {
    const { reader, ws } = await wsViewer();
    const http1 = await httpViewer();
    await waitForTag(reader, isAvcKeyframe, 1000);
    const unpublished = new Promise<number>((r) => media.once('unpublish', () => r(performance.now())));
    const killedAt = performance.now();
    await procs.kill(publisher, 'SIGKILL');
    expect((await unpublished) - killedAt).toBeLessThan(1000);
    expect(media.isPublishing()).toBe(false);
    const lastTs = Math.max(...reader.tags.filter(isAvcFrame).map((t) => t.timestamp));

    await sleep(1000);
    const restartedAt = performance.now();
    publisher = publish();
    await media.waitForPublish(AbortSignal.timeout(10_000));
    for (const r of [reader, http1.reader]) {
      const t = await waitForTag(r, (t) => isAvcFrame(t) && t.receivedAt > restartedAt, 3000);
      expect(t.receivedAt - restartedAt).toBeLessThan(3000);
    }
    const after = reader.tags.filter((t) => isAvcFrame(t) && t.receivedAt > restartedAt);
    // NMS resumes the timeline: no jump back to 0 for the player, one monotonic timeline throughout
    expect(after[0]!.timestamp).toBeGreaterThanOrEqual(lastTs);
    const videoTs = reader.tags.filter(isAvcFrame).map((t) => t.timestamp);
    expect(videoTs.every((ts, i) => i === 0 || ts >= videoTs[i - 1]!)).toBe(true);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    expect(reader.failed).toBeNull();
  });
});
