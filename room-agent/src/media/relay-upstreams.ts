import { EventEmitter } from 'node:events';
import {
  RELAY_MAX_VIEWERS_PER_UPSTREAM,
  RelayUpMessage,
  WS_CLOSE,
  type RelayDownMessage,
  type TokenClaims,
} from '@boxroom/contracts';
import { WsViewerSink, type StreamFanout } from '@boxroom/media-fanout';
import { Value } from 'typebox/value';
import { WebSocket, type RawData } from 'ws';
import type { CloseFn } from '../auth/rights-registry.js';
import { AuthError } from '../auth/token-verifier.js';
import type { Logger } from '../logger.js';

/**
 * WebSocket "policy violation": a relay broke the protocol (a binary message, text that is not a
 * RelayUpMessage, a viewer id joined twice). The whole upstream goes: its relay has a bug.
 */
export const RELAY_PROTOCOL_CLOSE = 1008;

export interface RelayUpstreamsDeps {
  fanout: Pick<StreamFanout, 'attach' | 'viewerCount' | 'on'>;
  /** the claims of a valid token of this room; AuthError (with its close code) otherwise */
  verify(token: string): Promise<TokenClaims>;
  /** kicks and revocations (RightsRegistry): check() throws AuthError, track() watches a viewer */
  rights: { check(claims: TokenClaims): void; track(claims: TokenClaims, close: CloseFn): () => void };
  log: Logger;
  /** default RELAY_MAX_VIEWERS_PER_UPSTREAM */
  maxViewersPerUpstream?: number;
}

/** One relayed viewer: `untrack` is null while its token is being checked. */
interface RelayedViewer {
  untrack: (() => void) | null;
}

interface Upstream {
  readonly id: number;
  readonly ws: WebSocket;
  readonly viewers: Map<number, RelayedViewer>;
  /** still one of the fan-out's viewers (it may drop a slow upstream before the socket closes) */
  inFanout: boolean;
}

/** The upstream as the fan-out sees it: a WS viewer that says when the fan-out lets go of it. */
class UpstreamSink extends WsViewerSink {
  constructor(
    ws: WebSocket,
    private readonly left: () => void,
  ) {
    super(ws);
  }
  override dropSlow(): void {
    this.left();
    super.dropSlow();
  }
  override end(code?: number, reason?: string): void {
    this.left();
    super.end(code, reason);
  }
  override onClose(fn: () => void): void {
    super.onClose(() => {
      this.left();
      fn();
    });
  }
}

type RelayEvents = { viewers: [count: number] };

/**
 * The dashboards' relays on WS /relay (contracts/src/relay.ts). Each upstream is one viewer of the
 * fan-out (the same tag Buffers, skip-ahead and slow drop as any reader); its viewers are the
 * relay's, announced with `join` and checked here exactly like direct viewers: the token's signature
 * and expiry, then kicks and revocations now (`check`) and while they watch (`track`, whose end
 * sends `close` with 4410/4411/4412). Admitted relayed viewers count as the room's viewers:
 * viewerCount() is the fan-out's readers without the upstream sockets plus the relayed viewers, and
 * `viewers` announces every change of it (the no-viewers timeout, /state, metrics). An upstream
 * that closes takes its viewers with it.
 */
export class RelayUpstreams extends EventEmitter<RelayEvents> {
  private readonly upstreams = new Set<Upstream>();
  private readonly log: Logger;
  private readonly maxViewers: number;
  private nextId = 1;
  /** upstreams the fan-out still counts as its viewers */
  private inFanout = 0;
  /** admitted relayed viewers over all upstreams */
  private relayed = 0;
  private announced = -1;

  constructor(private readonly d: RelayUpstreamsDeps) {
    super();
    this.log = d.log.child({ mod: 'relay-upstreams' });
    this.maxViewers = d.maxViewersPerUpstream ?? RELAY_MAX_VIEWERS_PER_UPSTREAM;
    d.fanout.on('viewers', () => this.changed());
  }

  /** A dashboard's authenticated WS /relay socket: it gets the stream and may send join/leave. */
  attach(ws: WebSocket): void {
    const up: Upstream = { id: this.nextId++, ws, viewers: new Map(), inFanout: true };
    this.upstreams.add(up);
    this.inFanout += 1;
    ws.on('message', (data, isBinary) => this.onMessage(up, data, isBinary));
    ws.once('close', () => this.forget(up));
    this.d.fanout.attach(
      new UpstreamSink(ws, () => {
        if (!up.inFanout) return;
        up.inFanout = false;
        this.inFanout -= 1;
      }),
    );
    this.log.info({ upstream: up.id, upstreams: this.upstreams.size }, 'relay attached');
  }

  /** Relays attached now (AgentMetrics.relayUpstreams). */
  upstreamCount(): number {
    return this.upstreams.size;
  }

  /** The room's stream viewers: direct readers and admitted relayed viewers, the relays themselves not. */
  viewerCount(): number {
    return this.d.fanout.viewerCount() - this.inFanout + this.relayed;
  }

  private onMessage(up: Upstream, data: RawData, isBinary: boolean): void {
    if (!this.upstreams.has(up)) return;
    const msg = isBinary ? null : parseUp(data);
    if (!msg) return this.violated(up, 'expected a JSON join or leave message');
    if (msg.type === 'leave') return this.leave(up, msg.id);
    if (up.viewers.has(msg.id)) return this.violated(up, `viewer ${msg.id} joined twice`);
    if (up.viewers.size >= this.maxViewers)
      return this.send(up, {
        type: 'close',
        id: msg.id,
        code: WS_CLOSE.unavailable,
        reason: 'too many viewers on this relay',
      });
    const viewer: RelayedViewer = { untrack: null };
    up.viewers.set(msg.id, viewer);
    void this.admit(up, msg.id, viewer, msg.token);
  }

  private async admit(up: Upstream, id: number, viewer: RelayedViewer, token: string): Promise<void> {
    let claims: TokenClaims;
    try {
      claims = await this.d.verify(token);
      this.d.rights.check(claims);
    } catch (err) {
      if (up.viewers.get(id) !== viewer) return; // it left, or its upstream went, meanwhile
      up.viewers.delete(id);
      const auth = err instanceof AuthError ? err : new AuthError('unauthorized');
      this.log.debug({ upstream: up.id, viewer: id, code: auth.closeCode }, 'relayed viewer refused');
      this.send(up, { type: 'close', id, code: auth.closeCode, reason: auth.message });
      return;
    }
    if (up.viewers.get(id) !== viewer) return;
    viewer.untrack = this.d.rights.track(claims, (code, reason) => {
      if (up.viewers.get(id) !== viewer) return;
      up.viewers.delete(id);
      this.relayed -= 1;
      this.send(up, { type: 'close', id, code, reason });
      this.changed();
    });
    this.relayed += 1;
    this.send(up, { type: 'admitted', id });
    this.changed();
  }

  private leave(up: Upstream, id: number): void {
    const viewer = up.viewers.get(id);
    // an unknown id: the relay's leave crossed our close; nothing to do
    if (!viewer) return;
    up.viewers.delete(id);
    if (!viewer.untrack) return;
    viewer.untrack();
    this.relayed -= 1;
    this.changed();
  }

  private forget(up: Upstream): void {
    if (!this.upstreams.delete(up)) return;
    let admitted = 0;
    for (const viewer of up.viewers.values()) {
      if (!viewer.untrack) continue;
      viewer.untrack();
      admitted += 1;
    }
    up.viewers.clear();
    this.relayed -= admitted;
    this.log.info(
      { upstream: up.id, viewers: admitted, upstreams: this.upstreams.size },
      'relay detached, its viewers forgotten',
    );
    this.changed();
  }

  private violated(up: Upstream, reason: string): void {
    this.log.warn({ upstream: up.id, reason }, 'relay broke the protocol: closing it');
    up.ws.close(RELAY_PROTOCOL_CLOSE, reason);
  }

  private send(up: Upstream, msg: RelayDownMessage): void {
    if (up.ws.readyState === WebSocket.OPEN) up.ws.send(JSON.stringify(msg));
  }

  /** Announces the viewer count when it changed (the fan-out's events and ours both lead here). */
  private changed(): void {
    const count = this.viewerCount();
    if (count === this.announced) return;
    this.announced = count;
    this.emit('viewers', count);
  }
}

function parseUp(data: RawData): RelayUpMessage | null {
  try {
    const value: unknown = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : String(data));
    return Value.Check(RelayUpMessage, value) ? value : null;
  } catch {
    return null;
  }
}
