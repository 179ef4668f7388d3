import type { Socket } from 'node:net';
import { WS_CLOSE } from '@boxroom/contracts';
import { WebSocket } from 'ws';
import type { ViewerSink } from './viewer-sink.js';
import type { TagFrames } from './ws-frame.js';

/** Compressing H.264 gains nothing and would copy every frame: never deflate, whatever was negotiated. */
const SEND_OPTS = { binary: true, compress: false } as const;

/**
 * After the "too slow" close frame (queued behind the backlog), give the peer this long to read up to
 * it before the socket is cut: ws would otherwise hold the backlog for its 30 s close timeout.
 */
export const SLOW_CLOSE_GRACE_MS = 5_000;

/** How often a viewer is pinged, at most: the pong says how far behind the stream it is (lagMs). */
export const LAG_PING_INTERVAL_MS = 250;
/**
 * The link's own round trip is the fastest pong of the last one to two of these windows: a link whose
 * route changes (another network, a VPN) gets a new floor within them.
 */
const TRIP_FLOOR_WINDOW_MS = 15_000;
/** The pings' payload: this tag, then the send time (float64 ms); a pong without it is not ours. */
const LAG_PING_TAG = 0x62786c67; // "bxlg"
const LAG_PING_BYTES = 12;

/**
 * The socket under `ws` when whole frames may be written to it beside ws itself, else null. ws writes
 * every frame it sends (data, ping, pong, close) synchronously and whole, and only queues frames
 * while it compresses one (permessage-deflate) or reads a Blob: with no extension negotiated, and no
 * Blob ever sent on a stream socket, a frame written directly cannot land inside one of ws's.
 * ws.bufferedAmount counts the socket's pending bytes, so backpressure sees these writes too.
 */
function rawSocketOf(ws: WebSocket): Socket | null {
  if (ws.extensions !== '') return null;
  const socket = (ws as unknown as { _socket?: Socket })._socket;
  return socket && typeof socket.write === 'function' && typeof socket.cork === 'function' ? socket : null;
}

/**
 * WS /stream: one FLV unit per binary message (mpegts.js reassembles any chunking). Live tags go to
 * the socket as the frame the fan-out built once for every viewer (TagFrames); join buffers and any
 * socket with an extension go through ws.send.
 */
export class WsViewerSink implements ViewerSink {
  readonly kind = 'ws';
  private readonly socket: Socket | null;
  /** the ping out now: when it was sent (performance.now()), or -1 */
  private pingSentAt = -1;
  private lastPingAt = -Infinity;
  /** the round trip of the last ping answered */
  private lastTripMs = 0;
  /** the fastest round trip in this window and the one before (TRIP_FLOOR_WINDOW_MS) */
  private fastestTripMs = Infinity;
  private fastestBeforeMs = Infinity;
  private windowStartedAt = 0;

  constructor(private readonly ws: WebSocket) {
    // ws emits 'error' for a protocol violation by the peer and closes right after; without a
    // listener the error would throw. The close is what the fan-out acts on.
    ws.on('error', () => {});
    ws.on('pong', this.onPong);
    this.socket = ws.readyState === WebSocket.OPEN ? rawSocketOf(ws) : null;
  }

  /**
   * A ping goes out behind everything written before it, through every buffer on the way (this
   * socket's, the kernel's, a dashboard's proxy, which passes pings and pongs on), and the reader's
   * pong comes when it has read all that: the time a ping has been out, or took, less the fastest
   * recent round trip (the link's own) is how far behind the stream the reader is. Unlike the
   * backlog, this sees the buffers past this process. 0 until a pong says otherwise (a peer that never
   * answers pings counts as keeping up; its backlog still counts). Timed by the monotonic clock: a
   * wall clock stepped meanwhile would make every viewer look late (or early) at once.
   */
  lagMs(): number {
    const now = performance.now();
    if (this.pingSentAt < 0 && now - this.lastPingAt >= LAG_PING_INTERVAL_MS) this.ping(now);
    const trip = this.pingSentAt < 0 ? this.lastTripMs : Math.max(this.lastTripMs, now - this.pingSentAt);
    const floor = Math.min(this.fastestTripMs, this.fastestBeforeMs);
    return floor === Infinity ? 0 : Math.max(0, trip - floor);
  }

  private ping(now: number): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    // a Buffer per ping (a few a second), not one reused: a queued ping frame still refers to it
    const data = Buffer.allocUnsafe(LAG_PING_BYTES);
    data.writeUInt32BE(LAG_PING_TAG, 0);
    data.writeDoubleBE(now, 4);
    this.ws.ping(data);
    this.pingSentAt = this.lastPingAt = now;
  }

  private readonly onPong = (data: Buffer): void => {
    if (data.length !== LAG_PING_BYTES || data.readUInt32BE(0) !== LAG_PING_TAG) return;
    if (data.readDoubleBE(4) !== this.pingSentAt) return;
    const now = performance.now();
    this.lastTripMs = now - this.pingSentAt;
    this.pingSentAt = -1;
    if (now - this.windowStartedAt >= TRIP_FLOOR_WINDOW_MS) {
      this.fastestBeforeMs = this.fastestTripMs;
      this.fastestTripMs = Infinity;
      this.windowStartedAt = now;
    }
    this.fastestTripMs = Math.min(this.fastestTripMs, this.lastTripMs);
  };

  write(buf: Buffer, frames?: TagFrames): void {
    // CLOSING once ws sent or received a close frame: nothing may follow it
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (frames && this.socket) {
      // not once ended (a write after end() would only error later)
      if (this.socket.writable) this.socket.write(frames.ws());
    } else {
      this.ws.send(buf, SEND_OPTS);
    }
  }

  /** Only the socket written directly is corked: ws.send's own writes go out at once. */
  cork(): boolean {
    if (!this.socket) return false;
    this.socket.cork();
    return true;
  }

  uncork(): void {
    this.socket?.uncork();
  }

  backlog(): number {
    return this.ws.bufferedAmount;
  }

  dropSlow(): void {
    this.ws.close(WS_CLOSE.tooSlow, 'viewer too slow');
    const timer = setTimeout(() => this.ws.terminate(), SLOW_CLOSE_GRACE_MS);
    timer.unref();
    this.ws.once('close', () => clearTimeout(timer));
  }

  end(code: number = WS_CLOSE.goingAway, reason = 'stream ended'): void {
    this.ws.close(code, reason);
  }

  onClose(fn: () => void): void {
    if (this.ws.readyState === WebSocket.CLOSED) queueMicrotask(fn);
    else this.ws.once('close', fn);
  }
}
