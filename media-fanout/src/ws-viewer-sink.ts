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

  constructor(private readonly ws: WebSocket) {
    // ws emits 'error' for a protocol violation by the peer and closes right after; without a
    // listener the error would throw. The close is what the fan-out acts on.
    ws.on('error', () => {});
    this.socket = ws.readyState === WebSocket.OPEN ? rawSocketOf(ws) : null;
  }

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
