import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamFanout } from '@boxroom/media-fanout';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAacFrame, isAvcKeyframe, readFlvStream, waitForTag } from '../../../test/support/flv-reader.js';
import { lavfiPublishArgs, listeningTcpPorts, ProcessGroup } from '../../../test/support/processes.js';
import { MediaServer, MediaServerError } from './media-server.js';

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** A room's media server as rooms run it by default: NMS's core, no HTTP-FLV listener of its own. */
describe('media server without its HTTP listener (the default; real NMS core and ffmpeg)', () => {
  const procs = new ProcessGroup();
  const responses = new Set<IncomingMessage>();
  let runDir: string;
  let media: MediaServer;
  let fanout: StreamFanout;
  let http: Server;
  let port = 0;

  beforeAll(async () => {
    runDir = await mkdtemp(join(tmpdir(), 'boxroom-media-core-'));
    media = new MediaServer({ streamName: 'room-core', httpPort: null, runDir, logger });
    await media.start();
    fanout = new StreamFanout(media.source(), { maxBacklogBytes: 4 * 1024 * 1024, logger });
    http = createServer((_req, res) => fanout.attachHttp(res));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const addr = http.address();
    port = typeof addr === 'object' && addr ? addr.port : 0;
    const child = procs.spawn('ffmpeg', lavfiPublishArgs('pipe:1'), { stdio: ['ignore', 'pipe', 'pipe'] });
    media.publishFrom(child.stdout!);
    await media.waitForPublish(AbortSignal.timeout(15_000));
  });

  afterAll(async () => {
    for (const res of responses) res.destroy();
    fanout?.close();
    http?.closeAllConnections();
    await new Promise((r) => http?.close(r));
    await procs.killAll();
    await media?.stop();
    await rm(runDir, { recursive: true, force: true });
  });

  it('opens no port of its own and has no play URL', () => {
    expect(listeningTcpPorts()).toEqual([port]);
    expect(media.httpPort).toBe(0);
    expect(() => media.playUrl('http')).toThrow(MediaServerError);
  });

  it('gives a viewer of the fan-out H.264 from a keyframe and AAC', async () => {
    const res = await new Promise<IncomingMessage>((resolve, reject) =>
      get(`http://127.0.0.1:${port}/`, resolve).on('error', reject),
    );
    responses.add(res);
    const reader = readFlvStream(res);
    await waitForTag(reader, isAvcKeyframe, 5_000);
    await waitForTag(reader, isAacFrame, 5_000);
  });

  it('starts again after a stop, with the stream published anew', async () => {
    await media.stop();
    media = new MediaServer({ streamName: 'room-core', httpPort: null, runDir, logger });
    await media.start();
    const child = procs.spawn('ffmpeg', lavfiPublishArgs('pipe:1'), { stdio: ['ignore', 'pipe', 'pipe'] });
    media.publishFrom(child.stdout!);
    await media.waitForPublish(AbortSignal.timeout(15_000));
    expect(media.isPublishing()).toBe(true);
  });
});
