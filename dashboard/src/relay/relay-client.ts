import type { ServerResponse } from 'node:http';
import WebSocket from 'ws';
import { WS_CLOSE } from '@boxroom/contracts';
import type { StreamFanout, ViewerHandle } from '@boxroom/media-fanout';
import { AppError, errors } from '../errors.js';

/** RFC 6455: a close frame's body is at most 125 bytes, 2 of them the code. */
const MAX_CLOSE_REASON_BYTES = 123;

/**
 * A viewer of a room relay, whatever its transport: announced to the agent with `join`, served by
 * the fan-out once `admitted`, closed with the agent's code and reason otherwise.
 */
export interface RelayClient {
  /** still there to be served (a viewer gone while the upstream was set up is never announced) */
  isOpen(): boolean;
  /** the agent admitted it: serve it from the fan-out (join burst first); null when it went meanwhile */
  admit(fanout: StreamFanout): ViewerHandle | null;
  /** refused at `join`, closed later by the agent, or its upstream ended before it was admitted */
  close(code: number, reason: string): void;
  /** it went (the player closed or the connection dropped): the relay sends `leave` */
  onGone(fn: () => void): void;
}

/** WS /rooms/:id/stream: the accepted viewer socket, closed with the agent's own code and reason. */
export class WsRelayClient implements RelayClient {
  constructor(private readonly ws: WebSocket) {
    // a player sends nothing on the stream socket; ws needs an error listener all the same
    ws.on('error', () => {});
  }

  isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  admit(fanout: StreamFanout): ViewerHandle | null {
    return this.isOpen() ? fanout.attachWs(this.ws) : null;
  }

  close(code: number, reason: string): void {
    // The code and reason come from the agent, which is inside the room's boundary: ws throws on a
    // code a peer may not send and on a reason over 123 bytes, and a throw here would end the replica.
    const sendable = code === 1000 || code === 1001 || code === 1008 || (code >= 4000 && code <= 4999);
    this.ws.close(sendable ? code : WS_CLOSE.unavailable, fitCloseReason(reason));
  }

  onGone(fn: () => void): void {
    this.ws.once('close', fn);
  }
}

/**
 * The HTTP status the agent's own GET /stream.flv answers for a refusal the relay learns as a close
 * code: its token errors (4401, and 4410/4411/4412 of an expired, revoked or kicked token) are 401
 * there, a role refusal 403, a failed room 410; anything else is the room being unavailable (503).
 */
export function refusalOf(code: number, reason: string): AppError {
  switch (code) {
    case WS_CLOSE.unauthorized:
    case WS_CLOSE.tokenExpired:
    case WS_CLOSE.inviteRevoked:
    case WS_CLOSE.kicked:
      return errors.unauthorized(reason);
    case WS_CLOSE.forbidden:
      return errors.forbidden(reason);
    case WS_CLOSE.roomFailed:
      return new AppError('gone', reason);
    default:
      return new AppError('unavailable', reason || 'room unavailable');
  }
}

/** How GET /rooms/:id/stream.flv through the relay ended up. */
export type HttpRelayOutcome = 'served' | 'gone';

/**
 * GET /rooms/:id/stream.flv: nothing is written until the agent answers. `admitted` writes the
 * agent's headers (200, video/x-flv, no-store), flushed at once so the player's fetch resolves
 * before the first tag; a refusal at `join` becomes an HTTP error (`outcome` rejects with it, for the
 * route's error handler). A close after that just ends the response: HTTP cannot say why mid-body.
 */
export class HttpRelayClient implements RelayClient {
  /** settles once: served (headers written), gone (the client left first), or a refusal */
  readonly outcome: Promise<HttpRelayOutcome>;
  private settle!: (o: HttpRelayOutcome) => void;
  private refuse!: (err: AppError) => void;
  private decided = false;

  constructor(
    private readonly res: ServerResponse,
    /** called right before the headers are written (the route hands the response over: hijack) */
    private readonly takeOver: () => void,
  ) {
    this.outcome = new Promise<HttpRelayOutcome>((resolve, reject) => {
      this.settle = resolve;
      this.refuse = reject;
    });
    // a refusal may come before the route awaits it: not an unhandled rejection meanwhile
    this.outcome.catch(() => {});
    if (!this.isOpen()) this.decide(() => this.settle('gone'));
    else res.once('close', () => this.decide(() => this.settle('gone')));
  }

  isOpen(): boolean {
    // before the headers go out the response has no 'close' of its own yet: its socket tells
    const socket = this.res.socket;
    return !this.res.destroyed && !this.res.writableEnded && !!socket && !socket.destroyed;
  }

  admit(fanout: StreamFanout): ViewerHandle | null {
    if (this.decided || !this.isOpen()) return null;
    this.decide(() => this.settle('served'));
    this.takeOver();
    this.res.writeHead(200, {
      'content-type': 'video/x-flv',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    this.res.flushHeaders();
    return fanout.attachHttp(this.res);
  }

  close(code: number, reason: string): void {
    if (!this.decided) this.decide(() => this.refuse(refusalOf(code, reason)));
    else if (this.isOpen()) this.res.end();
  }

  onGone(fn: () => void): void {
    if (this.res.destroyed) queueMicrotask(fn);
    else this.res.once('close', fn);
  }

  private decide(fn: () => void): void {
    if (this.decided) return;
    this.decided = true;
    fn();
  }
}

/** A close frame's reason holds 123 bytes of UTF-8: longer ones are cut at a character boundary. */
export function fitCloseReason(reason: string): string {
  if (Buffer.byteLength(reason) <= MAX_CLOSE_REASON_BYTES) return reason;
  let out = '';
  for (const ch of reason) {
    if (Buffer.byteLength(out + ch) > MAX_CLOSE_REASON_BYTES) break;
    out += ch;
  }
  return out;
}
