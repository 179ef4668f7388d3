import { createServer, connect, type Server, type Socket } from 'node:net';

export interface LinkShape {
  /** the rate towards the client (the viewer's downlink), bits per second */
  downBitsPerS: number;
  /** one-way delay, each direction, ms (RTT: twice this) */
  delayMs: number;
  /**
   * bytes the bottleneck queues before it stops reading from the server (a router's buffer; beyond
   * it TCP's own buffers and flow control take over, as on a real link)
   */
  queueBytes?: number;
}

/** Pieces the downlink forwards at a time: about one Ethernet frame. */
const PIECE = 1448;

/**
 * A TCP relay on 127.0.0.1 that behaves like a slow, distant link towards its clients: data from the
 * server leaves no faster than `downBitsPerS` and arrives `delayMs` later, and the bottleneck queues
 * at most `queueBytes` before it stops reading (backpressure reaches the server through TCP). The
 * uplink only adds the delay. It stands in for `tc netem`, which this machine's kernel lacks (tbf
 * is there but cannot delay); it cannot lose packets, so loss is not part of the shape.
 */
export class ShapedLink {
  private constructor(
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }, shape: LinkShape): Promise<ShapedLink> {
    const sockets = new Set<Socket>();
    const server = createServer((client) => {
      const upstream = connect(target.port, target.host);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.setNoDelay(true);
        s.on('error', () => {});
        s.on('close', () => {
          sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      delayed(client, upstream, shape.delayMs);
      shaped(upstream, client, shape);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new ShapedLink(server, sockets, (server.address() as { port: number }).port);
  }

  /** `url` (http or ws, any path) through this link. */
  via(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** from -> to, each chunk `delayMs` later, in order. */
function delayed(from: Socket, to: Socket, delayMs: number): void {
  from.on('data', (d: Buffer) => {
    setTimeout(() => to.writable && to.write(d), delayMs);
  });
  from.on('end', () => setTimeout(() => to.end(), delayMs));
}

/**
 * from -> to at the shape's rate, then its delay; reading stops while the queue is full. Pieces reach
 * `to` through one ordered queue and one timer: a timer per piece could fire two pieces due in the
 * same millisecond out of order (timers of different durations live in different lists), which
 * corrupted the stream a reader saw once the sound came as many small writes.
 */
function shaped(from: Socket, to: Socket, shape: LinkShape): void {
  const limit = shape.queueBytes ?? 64 * 1024;
  const msPerByte = 8000 / shape.downBitsPerS;
  const queue: Buffer[] = [];
  let queued = 0;
  /** when the link is free to send the next piece (ms, Date.now() scale) */
  let linkFreeAt = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let ended = false;
  /** sent, on their way: when each arrives (non-decreasing), null for the end */
  const inFlight: Array<{ at: number; piece: Buffer | null }> = [];
  let deliverTimer: ReturnType<typeof setTimeout> | null = null;

  const deliver = (): void => {
    deliverTimer = null;
    const now = Date.now();
    while (inFlight.length && inFlight[0]!.at <= now) {
      const { piece } = inFlight.shift()!;
      if (piece === null) to.end();
      else if (to.writable) to.write(piece);
    }
    if (inFlight.length) deliverTimer = setTimeout(deliver, Math.max(1, inFlight[0]!.at - now));
  };
  const send = (piece: Buffer | null, at: number): void => {
    inFlight.push({ at, piece });
    if (!deliverTimer) deliverTimer = setTimeout(deliver, Math.max(0, at - Date.now()));
  };

  const pump = (): void => {
    timer = null;
    const now = Date.now();
    while (queue.length && linkFreeAt <= now) {
      const piece = queue.shift()!;
      queued -= piece.length;
      linkFreeAt = Math.max(linkFreeAt, now) + piece.length * msPerByte;
      send(piece, linkFreeAt + shape.delayMs);
    }
    if (queued < limit && from.isPaused()) from.resume();
    if (queue.length) timer = setTimeout(pump, Math.max(1, linkFreeAt - now));
    else if (ended) send(null, Math.max(linkFreeAt, now) + shape.delayMs);
  };

  from.on('data', (d: Buffer) => {
    for (let i = 0; i < d.length; i += PIECE) queue.push(d.subarray(i, i + PIECE));
    queued += d.length;
    if (queued >= limit) from.pause();
    if (!timer) pump();
  });
  from.on('end', () => {
    ended = true;
    if (!timer) pump();
  });
}
