import { request, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Logger } from '../logger.js';

/** The recorder is a viewer like any other: a head that does not come in this time is a retry. */
const CONNECT_TIMEOUT_MS = 5_000;
/** Pause between connections: a token that ran out reconnects at once, a failing agent not in a loop. */
const RETRY_MS = 500;

export interface StreamTarget {
  /** where the agent is now (its URL may change when it restarts); null: the room is gone */
  agentUrl(): Promise<string | null>;
  /** a fresh dashboard token for the agent (never on a command line or in a URL) */
  token(): Promise<string>;
}

export interface StreamHandlers {
  connected(): void;
  data(chunk: Buffer): void;
  /** the room is gone: no more connections */
  gone(): void;
}

/**
 * Reads the room's live FLV from its agent, as the dashboard's edge does (GET /stream.flv, the
 * token in the Authorization header), reconnecting whenever it ends: the agent ends it when the
 * token runs out, when it restarts, or when the recorder falls too far behind.
 */
export class StreamSource {
  private stopped = false;
  private res: IncomingMessage | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly target: StreamTarget,
    private readonly handlers: StreamHandlers,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.res?.destroy();
    await this.running;
  }

  /**
   * Drops the current connection only (its bytes could not be read): the loop connects again, as
   * after any end, and the next connection starts with the FLV header.
   */
  reconnect(): void {
    this.res?.destroy();
  }

  /**
   * Flow control from ffmpeg's pipe: paused until `until` calls back (the agent drops a viewer that
   * stays behind). Without a connection there is nothing to pause, but `until` still runs: the
   * caller's own paused state is cleared by its callback.
   */
  pause(until: (resume: () => void) => void): void {
    const res = this.res;
    res?.pause();
    until(() => res?.resume());
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let url: string | null;
      try {
        url = await this.target.agentUrl();
      } catch (err) {
        this.log.debug({ err }, 'room not reachable for recording; retrying');
        await sleep(RETRY_MS * 2);
        continue;
      }
      if (url === null) {
        this.handlers.gone();
        return;
      }
      await this.once(url).catch((err: unknown) => this.log.debug({ err }, 'recording stream ended'));
      if (!this.stopped) await sleep(RETRY_MS);
    }
  }

  private async once(agentUrl: string): Promise<void> {
    const token = await this.target.token();
    const url = new URL('/stream.flv', agentUrl);
    const get = url.protocol === 'https:' ? httpsRequest : request;
    await new Promise<void>((resolve, reject) => {
      const req = get(url, { headers: { authorization: `Bearer ${token}` }, timeout: CONNECT_TIMEOUT_MS });
      req.on('timeout', () => req.destroy(new Error('agent did not answer in time')));
      req.on('error', reject);
      req.on('response', (res) => {
        req.setTimeout(0);
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`agent answered ${res.statusCode}`));
          return;
        }
        this.res = res;
        this.handlers.connected();
        res.on('data', (chunk: Buffer) => this.handlers.data(chunk));
        res.on('close', () => {
          this.res = null;
          resolve();
        });
        if (this.stopped) res.destroy();
      });
      req.end();
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
