import WebSocket from 'ws';
import { WS_CLOSE } from '@boxroom/contracts';
import type { ProxiedTraffic } from '../http/metrics.js';
import type { Logger } from '../logger.js';

/**
 * Stop reading from the sending side when the receiving socket would hold this much unsent data; read
 * again once the message that crossed it has been written (the socket's buffer is then drained).
 */
export const WS_HIGH_WATER_BYTES = 1024 * 1024;
/** Messages from the client that may wait while the agent connection opens. */
export const MAX_EARLY_MESSAGES = 64;
/**
 * Bytes of them: until the agent has accepted the socket it is not authenticated, and its messages
 * sit in this process. A page sends a few bytes (noVNC's first RFB messages) before that.
 */
export const MAX_EARLY_BYTES = 64 * 1024;
/** WebSocket "message too big": the client sent more than we hold for an unauthenticated socket. */
const CLOSE_TOO_BIG = 1009;
const UPSTREAM_HANDSHAKE_MS = 5000;
/** Keyframes of a 1080p stream fit comfortably. */
const UPSTREAM_MAX_PAYLOAD_BYTES = 32 * 1024 * 1024;

export interface WsProxyOptions {
  /** ws://127.0.0.1:41234/session?token=... */
  target: string;
  /** subprotocols the browser offered (noVNC: 'binary') */
  protocols: string[];
  headers: Record<string, string>;
  log: Logger;
  /** counts the bytes passed each way; ended once when either side closes */
  traffic?: ProxiedTraffic;
  /** what the client sent before the proxy was set up (while the edge checked the token) */
  early?: EarlyMessages;
}

/** Close codes an endpoint may put on the wire (1005, 1006 and 1015 are reserved for reporting). */
export function isSendableCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
    (code >= 3000 && code <= 4999)
  );
}

/** An agent that refused the upgrade with an HTTP status: tell the browser in its own terms. */
export function closeCodeForStatus(status: number): number {
  if (status === 401) return WS_CLOSE.unauthorized;
  if (status === 403) return WS_CLOSE.forbidden;
  if (status === 404) return WS_CLOSE.notFound;
  return WS_CLOSE.unavailable;
}

function closeQuietly(ws: WebSocket, code: number, reason: string | Buffer): void {
  if (ws.readyState === WebSocket.CLOSING || ws.readyState === WebSocket.CLOSED) return;
  if (ws.readyState === WebSocket.CONNECTING) {
    ws.terminate();
    return;
  }
  if (isSendableCloseCode(code)) ws.close(code, reason);
  else ws.close();
}

/**
 * Message-level forwarding: keeps binary vs text frames (the session channel is JSON text, the
 * stream and input are binary) and applies backpressure with pause()/resume() on the other side's
 * bufferedAmount, so nothing piles up in this process.
 */
export function byteLength(data: WebSocket.RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

/**
 * What a client sends before the agent has accepted its socket (while the edge checks the token,
 * then while the agent connection opens): held in this process, one budget of MAX_EARLY_MESSAGES and
 * MAX_EARLY_BYTES for the whole wait. Over it, the client is closed (1009 for bytes).
 */
export class EarlyMessages {
  private readonly messages: Array<[WebSocket.RawData, boolean]> = [];
  private bytes = 0;

  /** Holds one message of `client`; false when that broke a bound and the client was closed. */
  hold(client: WebSocket, data: WebSocket.RawData, isBinary: boolean): boolean {
    this.bytes += byteLength(data);
    if (this.bytes > MAX_EARLY_BYTES) {
      this.messages.length = 0;
      closeQuietly(client, CLOSE_TOO_BIG, 'too much data before the room accepted the socket');
      return false;
    }
    if (this.messages.length >= MAX_EARLY_MESSAGES) {
      closeQuietly(client, WS_CLOSE.unavailable, 'room not ready');
      return false;
    }
    this.messages.push([data, isBinary]);
    return true;
  }

  /** Sends what was held, in order, and forgets it. */
  flush(to: WebSocket): void {
    for (const [data, isBinary] of this.messages.splice(0)) to.send(data, { binary: isBinary });
  }
}

function forward(
  from: WebSocket,
  to: WebSocket,
  early: EarlyMessages | null,
  counted: (bytes: number) => void,
): void {
  from.on('message', (data, isBinary) => {
    if (to.readyState === WebSocket.CONNECTING && early) {
      if (!early.hold(from, data, isBinary)) to.terminate();
      return;
    }
    if (to.readyState !== WebSocket.OPEN) return;
    const bytes = byteLength(data);
    counted(bytes);
    if (to.bufferedAmount + bytes < WS_HIGH_WATER_BYTES) {
      // the common case, once per video frame: no callback, no closure
      to.send(data, { binary: isBinary });
      return;
    }
    // This message crosses the high-water mark: stop reading until it has been written out.
    from.pause();
    to.send(data, { binary: isBinary }, () => {
      if (from.isPaused) from.resume();
    });
  });
}

/**
 * The agent's pings go on to the client, behind the messages before them, and the client's pongs come
 * back: the agent times how far behind the stream a viewer is through this proxy's buffers as well
 * (media-fanout's WsViewerSink.lagMs). A ping that comes while the client is not open is answered
 * here, as ws would have.
 */
function passPings(upstream: WebSocket, client: WebSocket): void {
  upstream.on('ping', (data) => {
    if (client.readyState === WebSocket.OPEN) client.ping(data);
    else if (upstream.readyState === WebSocket.OPEN) upstream.pong(data);
  });
  client.on('pong', (data) => {
    if (upstream.readyState === WebSocket.OPEN) upstream.pong(data);
  });
}

/** Pipe an accepted browser WebSocket to the room agent, both ways, with close codes preserved. */
export function proxyWebSocket(client: WebSocket, opts: WsProxyOptions): void {
  const { log } = opts;
  const early = opts.early ?? new EarlyMessages();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    opts.traffic?.end();
  };

  const upstream = new WebSocket(opts.target, opts.protocols, {
    headers: opts.headers,
    perMessageDeflate: false,
    handshakeTimeout: UPSTREAM_HANDSHAKE_MS,
    maxPayload: UPSTREAM_MAX_PAYLOAD_BYTES,
    // the client answers the agent's pings, not this process: see passPings
    autoPong: false,
  });
  passPings(upstream, client);

  const traffic = opts.traffic;
  const none = () => undefined;
  forward(client, upstream, early, traffic ? (n) => traffic.bytes('to_room', n) : none);
  forward(upstream, client, null, traffic ? (n) => traffic.bytes('to_client', n) : none);

  upstream.on('open', () => {
    early.flush(upstream);
  });
  upstream.on('unexpected-response', (req, res) => {
    const code = closeCodeForStatus(res.statusCode ?? 502);
    res.resume();
    req.destroy();
    closeQuietly(client, code, code === WS_CLOSE.unavailable ? 'room unavailable' : 'refused by the room');
  });
  upstream.on('error', (err) => {
    log.debug({ err: err.message }, 'agent websocket error');
    closeQuietly(client, WS_CLOSE.unavailable, 'room unavailable');
  });
  upstream.on('close', (code, reason) => {
    // 1006 (no close frame: the agent vanished) becomes "unavailable, reconnect with backoff".
    if (code === 1006) closeQuietly(client, WS_CLOSE.unavailable, 'room agent connection lost');
    else closeQuietly(client, code, reason);
    end();
  });

  client.on('error', (err) => {
    log.debug({ err: err.message }, 'client websocket error');
    upstream.terminate();
  });
  client.on('close', (code, reason) => {
    closeQuietly(upstream, code, reason);
    end();
  });
}

export function offeredProtocols(header: string | string[] | undefined): string[] {
  const raw = Array.isArray(header) ? header.join(',') : (header ?? '');
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
