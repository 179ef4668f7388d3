import WebSocket from 'ws';
// relative: the bench bundle keeps packages external, and the workspace package is TypeScript
import { WS_CLOSE } from '../../contracts/src/errors.js';
import { FlvReader, isAvcFrame } from '../../test/support/flv-reader.js';
// the room page's own reconnect schedule
import { Backoff, PAGE_RECONNECT } from '../../web/src/core/backoff.js';

/** The page's player rebuilds when no frame came for this long (web/src/controllers/player-controller.ts). */
const STALL_RESTART_MS = 4000;
/** Arrivals kept per reader: enough for the recovery window after a fault at 30 fps. */
const KEEP_ARRIVALS = 3000;

export type SocketKind = 'stream' | 'input' | 'session';

/** What the page does on a close code (web/src/core/close-reasons.ts): reconnect, join again, or stop. */
export function verdictOf(code: number): 'retry' | 'rejoin' | 'stop' {
  switch (code) {
    case WS_CLOSE.unauthorized:
    case WS_CLOSE.tokenExpired:
      return 'rejoin';
    case WS_CLOSE.inviteRevoked:
    case WS_CLOSE.kicked:
    case WS_CLOSE.tooManySockets:
    case WS_CLOSE.roomFailed:
    case WS_CLOSE.forbidden:
    case WS_CLOSE.notFound:
    case WS_CLOSE.controlRevoked:
      return 'stop';
    default:
      return 'retry';
  }
}

export interface ClientUrls {
  /** a fresh token (a join with the invite) */
  join(): Promise<string>;
  /** the socket's URL for a token */
  url(token: string): string;
}

/**
 * One socket of a page, reconnecting the way the page does (backoff, join again on 4401/4410, stop on
 * the final codes). A stream socket parses FLV and stamps each video tag's arrival; it is rebuilt when
 * no video came for STALL_RESTART_MS, like the player. An input socket speaks the RFB handshake (as
 * noVNC) and then only listens.
 */
export class PageSocket {
  ws: WebSocket | null = null;
  /** Date.now() when the current socket opened (null: not open) */
  openedAt: number | null = null;
  /** video tag arrivals (Date.now()), the last KEEP_ARRIVALS */
  readonly videoAt: number[] = [];
  readonly closeCodes: Record<string, number> = {};
  reconnects = 0;
  /** the close code that ended it (a final verdict), if one did */
  stoppedBy: number | null = null;
  private token: string | null = null;
  private readonly backoff = new Backoff(PAGE_RECONNECT);
  private timer: NodeJS.Timeout | null = null;
  private stallTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    readonly kind: SocketKind,
    readonly roomId: string,
    private readonly urls: ClientUrls,
    /** before reconnecting an input socket refused with 4403: ask for control again */
    private readonly beforeRetry?: (code: number) => Promise<boolean>,
  ) {}

  start(): void {
    void this.connect();
  }

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.stallTimer) clearInterval(this.stallTimer);
    this.ws?.terminate();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    try {
      this.token ??= await this.urls.join();
    } catch {
      this.retryLater();
      return;
    }
    if (this.stopped) return;
    const ws = new WebSocket(this.urls.url(this.token), this.kind === 'input' ? ['binary'] : [], {
      perMessageDeflate: false,
      handshakeTimeout: 5000,
    });
    this.ws = ws;
    ws.binaryType = 'nodebuffer';
    let lastVideo = Date.now();
    const flv = this.kind === 'stream' ? new FlvReader({ keepTags: false }) : null;
    flv?.on('tag', (t) => {
      if (!isAvcFrame(t)) return;
      lastVideo = Date.now();
      this.videoAt.push(lastVideo);
      if (this.videoAt.length > KEEP_ARRIVALS) this.videoAt.splice(0, this.videoAt.length - KEEP_ARRIVALS);
    });
    flv?.on('error', () => ws.terminate());
    const rfb = this.kind === 'input' ? rfbGreeter(ws) : null;
    ws.on('open', () => {
      this.openedAt = Date.now();
      lastVideo = Date.now();
      if (flv)
        this.stallTimer = setInterval(() => {
          if (Date.now() - lastVideo > STALL_RESTART_MS) ws.terminate();
        }, 500);
    });
    ws.on('message', (d: Buffer) => {
      // like the page: the backoff starts over once the server sent something, not on a bare open
      // (a dashboard that accepts and at once closes must not be hammered)
      this.backoff.reset();
      if (flv) flv.push(d);
      else rfb?.(d);
    });
    ws.on('error', () => {});
    ws.on('close', (code) => {
      this.openedAt = null;
      if (this.stallTimer) clearInterval(this.stallTimer);
      this.stallTimer = null;
      this.closeCodes[code] = (this.closeCodes[code] ?? 0) + 1;
      if (this.stopped) return;
      void this.afterClose(code);
    });
  }

  private async afterClose(code: number): Promise<void> {
    const v = verdictOf(code);
    if (v === 'rejoin') this.token = null;
    if (v === 'stop') {
      if (!this.beforeRetry || !(await this.beforeRetry(code).catch(() => false))) {
        this.stoppedBy = code;
        return;
      }
    }
    this.retryLater();
  }

  private retryLater(): void {
    if (this.stopped) return;
    this.reconnects++;
    this.timer = setTimeout(() => void this.connect(), this.backoff.next());
  }

  /**
   * Back to video after a fault at `t0`: the end of the first gap of more than `gapMs` in the video
   * arrivals that starts within `startWithinMs` of the fault (frames in flight when it struck do not
   * count as recovered); when there is none, the first video tag after the fault. null: not yet.
   */
  backToVideo(t0: number, gapMs = 250, startWithinMs = 1000): number | null {
    let prev = t0;
    let first: number | null = null;
    for (const t of this.videoAt) {
      if (t <= t0) continue;
      first ??= t;
      if (t - prev > gapMs && prev - t0 <= startWithinMs) return t - t0;
      prev = t;
      // video flowed past the window in which an outage could begin: it never stopped
      if (prev - t0 > startWithinMs) return first - t0;
    }
    return null;
  }
}

/**
 * The client side of the RFB handshake with security None (what noVNC does), so x11vnc keeps the input
 * socket as a real client: version, security type 1, shared ClientInit; after that, everything is read
 * and dropped.
 */
function rfbGreeter(ws: WebSocket): (d: Buffer) => void {
  let buf = Buffer.alloc(0);
  let stage: 'version' | 'security' | 'result' | 'init' | 'done' = 'version';
  return (d) => {
    if (stage === 'done') return;
    buf = Buffer.concat([buf, d]);
    if (stage === 'version' && buf.length >= 12) {
      ws.send(Buffer.from('RFB 003.008\n'));
      buf = buf.subarray(12);
      stage = 'security';
    }
    if (stage === 'security' && buf.length >= 1) {
      const n = buf[0]!;
      if (buf.length < 1 + n) return;
      ws.send(Buffer.from([1]));
      buf = buf.subarray(1 + n);
      stage = 'result';
    }
    if (stage === 'result' && buf.length >= 4) {
      ws.send(Buffer.from([1]));
      buf = buf.subarray(4);
      stage = 'init';
    }
    if (stage === 'init' && buf.length > 0) stage = 'done';
  };
}

/** A small seeded PRNG (mulberry32): the same seed, the same faults at the same offsets. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
