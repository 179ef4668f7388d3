import { WS_CLOSE } from '@boxroom/contracts';
import { WebSocket } from 'ws';
import type { ViewerSink } from './viewer-sink.js';

/** Compressing H.264 gains nothing and would copy every frame: never deflate, whatever was negotiated. */
const SEND_OPTS = { binary: true, compress: false } as const;
/**
 * After the "too slow" close frame (queued behind the backlog), give the peer this long to read up to
 * it before the socket is cut: ws would otherwise hold the backlog for its 30 s close timeout.
 */
export const SLOW_CLOSE_GRACE_MS = 5_000;

/** WS /stream: one FLV unit per binary message (mpegts.js reassembles any chunking). */
export class WsViewerSink implements ViewerSink {
  readonly kind = 'ws';

  constructor(private readonly ws: WebSocket) {
    // ws emits 'error' for a protocol violation by the peer and closes right after; without a
    // listener the error would throw. The close is what the fan-out acts on.
    ws.on('error', () => {});
  }

  write(buf: Buffer): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(buf, SEND_OPTS);
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
