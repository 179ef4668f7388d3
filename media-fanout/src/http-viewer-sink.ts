import type { ServerResponse } from 'node:http';
import type { ViewerSink } from './viewer-sink.js';

const FLV_HEADERS = {
  'Content-Type': 'video/x-flv',
  'Cache-Control': 'no-store',
  // a live stream has no length; keep proxies from buffering it
  'X-Accel-Buffering': 'no',
};

/** GET /stream.flv: an endless chunked response. */
export class HttpViewerSink implements ViewerSink {
  readonly kind = 'http';

  constructor(private readonly res: ServerResponse) {
    if (!res.headersSent) res.writeHead(200, FLV_HEADERS);
    // tags are small and latency-bound: do not let Nagle hold them back
    // (a socket stand-in, as fastify's inject makes, may not have it)
    if (typeof res.socket?.setNoDelay === 'function') res.socket.setNoDelay(true);
  }

  write(buf: Buffer): void {
    if (!this.res.writableEnded && !this.res.destroyed) this.res.write(buf);
  }

  backlog(): number {
    return this.res.writableLength;
  }

  /** HTTP has no way to say why mid-body: cut the connection, which frees its buffer at once. */
  dropSlow(): void {
    this.res.destroy();
  }

  end(): void {
    this.res.end();
  }

  onClose(fn: () => void): void {
    if (this.res.destroyed) queueMicrotask(fn);
    else this.res.once('close', fn);
  }
}
