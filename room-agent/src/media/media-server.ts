import { EventEmitter } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type NodeMediaServer from 'node-media-server';
import Context from 'node-media-server/src/core/context.js';
import type { FlvTagSource } from '@boxroom/media-fanout';
import type { AgentConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { FlvPipePublisher } from './flv-pipe-publisher.js';
import { ensurePort } from './free-port.js';
import { bridgeNmsLogs } from './nms-log-bridge.js';
import { NmsStream } from './nms-stream.js';
import { newStreamSecret, signedQuery, streamSign } from './stream-signing.js';

/** NMS's one listener never leaves loopback: its HTTP port would accept signed publishers too. */
const MEDIA_HOST = '127.0.0.1';
const STREAM_APP = 'live';

export interface MediaServerOptions {
  /** stream name under /live/; the room id */
  streamName: string;
  /**
   * NMS's HTTP-FLV/WS-FLV listener for signed plays (diagnostics and tests; viewers use the
   * fan-out): its port, 0 for a free one; null runs NMS's core alone, without it (the default)
   */
  httpPort: number | null;
  /** NMS's JSON store goes under here (it defaults to ./data), when its listener runs */
  runDir: string;
  logger: Logger;
}

export class MediaServerError extends Error {
  override name = 'MediaServerError';
}

type MediaServerEvents = { publish: []; unpublish: [] };

/** NMS keeps its state in module-level singletons: one running instance per process. */
let running: MediaServer | null = null;

/**
 * Our typed wrapper around node-media-server v4. The room's ffmpeg publishes through its stdout
 * (publishFrom: an in-process NMS publisher session, no URL and no secret on any command line) to
 * NMS's broadcast server (its GOP cache, sequence headers and metadata), which the fan-out reads.
 * That core is all a room needs, and all it runs by default: NMS's server class would also load and
 * start an Express HTTP listener, a JSON store, a rate sampler and its record, relay and notify
 * servers (~2 MB of the agent's 4.8 MB bundle: ~115 ms more of every room's start before Xvfb, and
 * timers on an idle room). With `httpPort` set it runs whole, loaded then: its HTTP listener, on
 * loopback, serves signed plays (diagnostics and tests) and would take signed publishers; publish
 * and play are both signed by a secret that lives only in this process, for this start. No RTMP
 * listener either way.
 * Events: `publish` when a publisher is live, `unpublish` the moment its stream ends.
 */
export class MediaServer extends EventEmitter<MediaServerEvents> {
  static fromConfig(config: AgentConfig, logger: Logger): MediaServer {
    return new MediaServer({
      streamName: config.roomId,
      httpPort: config.mediaHttpPort,
      runDir: config.runDir,
      logger,
    });
  }

  readonly streamPath: string;
  private readonly log: Logger;
  private nms: NodeMediaServer | null = null;
  private stream: NmsStream | null = null;
  private secret = '';
  private port = 0;
  private pipePublisher: FlvPipePublisher | null = null;

  constructor(private readonly opts: MediaServerOptions) {
    super();
    this.streamPath = `/${STREAM_APP}/${opts.streamName}`;
    this.log = opts.logger.child({ mod: 'media-server' });
  }

  async start(): Promise<void> {
    if (running) throw new MediaServerError('a media server is already running in this process');
    // NMS keeps module-level state: one media server per process, remembered here.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    running = this;
    try {
      await this.startNms();
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /**
   * Publishes ffmpeg's FLV output, given at every spawn: the picture on its stdout and the sound on
   * fd 3 (or both tracks in one FLV, `audio` null). The first byte makes it the publisher; a restarted
   * ffmpeg resumes the same broadcast (one timeline for attached viewers). A previous publisher still
   * open is ended first: there is one ffmpeg per room.
   */
  publishFrom(flv: Readable, audio: Readable | null = null): void {
    if (!this.stream) {
      // the supervisor calls this at a spawn: no throw there; ffmpeg ends on the closed pipe
      this.log.warn('ffmpeg started while the media server is not running; its output is dropped');
      flv.destroy();
      audio?.destroy();
      return;
    }
    this.pipePublisher?.end();
    const publisher = new FlvPipePublisher(
      this.streamPath,
      { sign: streamSign(this.streamPath, this.secret) }, // NMS's publish check, made in process
      flv,
      this.opts.logger.child({ mod: 'flv-pipe-publisher' }),
      audio,
    );
    this.pipePublisher = publisher;
    publisher.onEnd(() => {
      if (this.pipePublisher === publisher) this.pipePublisher = null;
    });
    publisher.run();
  }

  /** Signed loopback play URLs straight from NMS (diagnostics and tests; viewers go through the fan-out). */
  playUrl(kind: 'http' | 'ws'): string {
    if (!this.nms) throw new MediaServerError('the media server has no HTTP-FLV listener (httpPort)');
    return `${kind}://${MEDIA_HOST}:${this.port}${this.streamPath}.flv?${signedQuery(this.streamPath, this.secret)}`;
  }

  /** NMS's HTTP-FLV port; 0 when it has no listener */
  get httpPort(): number {
    return this.port;
  }

  /** The live stream in process, for StreamFanout. */
  source(): FlvTagSource {
    if (!this.stream) throw new MediaServerError('media server is not running');
    return this.stream;
  }

  isPublishing(): boolean {
    return this.stream?.isPublishing() ?? false;
  }

  /** Resolves once a publisher is live (at once if one is); ffmpeg's readiness probe. */
  waitForPublish(signal?: AbortSignal): Promise<void> {
    if (this.isPublishing()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (err?: unknown) => {
        this.off('publish', onPublish);
        signal?.removeEventListener('abort', onAbort);
        if (err === undefined) resolve();
        else reject(err);
      };
      const onPublish = () => done();
      const onAbort = () => done(signal?.reason ?? new Error('aborted'));
      if (signal?.aborted) return onAbort();
      this.on('publish', onPublish);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Closes listeners, publishers and players; afterwards nothing of NMS keeps the process alive. */
  async stop(): Promise<void> {
    if (running !== this) return;
    const nms = this.nms;
    this.nms = null;
    this.stream?.removeAllListeners();
    this.pipePublisher?.end();
    if (this.stream) {
      this.stream.close();
      this.stream = null;
    }
    if (nms) {
      await nms.stop().catch((err: unknown) => this.log.warn({ err }, 'media server stop failed'));
      // NMS's stop() ends WebSocket players but not HTTP-FLV responses, which would hold the loop.
      nms.httpServer.httpServer?.closeAllConnections();
    }
    running = null;
    this.log.info('media server stopped');
  }

  private async startNms(): Promise<void> {
    this.secret = newStreamSecret();
    const auth = { play: true, publish: true, secret: this.secret };
    bridgeNmsLogs(this.opts.logger.child({ mod: 'nms' }));
    if (this.opts.httpPort === null) {
      // what NMS's server would set, and all its broadcast server reads: the signed publish check
      Context.config = { auth };
    } else await this.startNmsServer(this.opts.httpPort, auth);

    this.stream = new NmsStream(this.streamPath, this.opts.logger.child({ mod: 'media-stream' }));
    this.stream.on('publish', () => this.emit('publish'));
    this.stream.on('unpublish', () => this.emit('unpublish'));
    this.log.info(
      { ...(this.nms ? { httpPort: this.port } : {}), streamPath: this.streamPath },
      'media server started',
    );
  }

  /** NMS whole, with its HTTP listener on `port` (0: a free one); loaded only now. */
  private async startNmsServer(port: number, auth: { play: boolean; publish: boolean; secret: string }) {
    const http = await ensurePort(MEDIA_HOST, port).catch(portError('HTTP', port));
    this.port = http;
    const storeDir = join(this.opts.runDir, 'nms-store');
    await mkdir(storeDir, { recursive: true });
    const { default: NodeMediaServer } = await import('node-media-server');
    // no `rtmp` section: NMS opens no RTMP listener (ingest is the pipe)
    const nms = new NodeMediaServer({
      bind: MEDIA_HOST,
      http: { port: http },
      auth,
      store: { path: storeDir },
      webadmin: { enable: false },
    });
    this.nms = nms;
    const storeOpened = nms.run();
    await this.listening(nms);
    await storeOpened;
  }

  /**
   * NMS's listener error handlers call process.exit(1); run() has started listening synchronously, so
   * they are swapped for ours before any error can arrive, and a late port clash fails start() instead.
   */
  private listening(nms: NodeMediaServer): Promise<void> {
    if (nms.rtmpServer.tcpServer) throw new MediaServerError('media server opened an RTMP listener');
    const servers = [nms.httpServer.httpServer];
    // ws re-emits its HTTP server's errors on itself, and an 'error' without a listener throws.
    nms.httpServer.wsServer?.on('error', () => {});
    return Promise.all(
      servers.map(
        (srv) =>
          new Promise<void>((resolve, reject) => {
            if (!srv) return reject(new MediaServerError('media server listener missing'));
            srv.removeAllListeners('error');
            srv.on('error', (err) => {
              if (!srv.listening) reject(new MediaServerError(`media server listen failed: ${err.message}`));
              else this.log.error({ err }, 'media server listener error');
            });
            if (srv.listening) resolve();
            else srv.once('listening', () => resolve());
          }),
      ),
    ).then(() => undefined);
  }
}

function portError(kind: string, port: number) {
  return (err: NodeJS.ErrnoException): never => {
    throw new MediaServerError(`media ${kind} port ${port} unavailable: ${err.code ?? err.message}`);
  };
}
