import { EventEmitter } from 'node:events';
import WebSocket, { type RawData } from 'ws';
import { RelayDownMessage, WS_CLOSE, type RelayUpMessage } from '@boxroom/contracts';
import { StreamFanout, type ViewerHandle } from '@boxroom/media-fanout';
import { Value } from 'typebox/value';
import type { Logger } from '../logger.js';
import { FlvJoinCache } from './flv-join-cache.js';
import type { RelayClient } from './relay-client.js';

/** Keyframes of a 1080p stream fit comfortably (as the 1:1 proxy's upstream limit). */
const UPSTREAM_MAX_PAYLOAD_BYTES = 32 * 1024 * 1024;
const UPSTREAM_HANDSHAKE_MS = 5000;

export interface RoomRelayOptions {
  roomId: string;
  /** ws://agent/relay, without the token */
  url: string;
  /** a dashboard agent-call token for the agent of this room (sent as ?token=, never logged) */
  token: string;
  /** a viewer whose unsent bytes exceed this is dropped (4408), as at the agent */
  maxBacklogBytes: number;
  log: Logger;
}

/** One viewer of this relay: `handle` once the agent admitted it and the fan-out serves it. */
interface RelayViewer {
  readonly client: RelayClient;
  handle: ViewerHandle | null;
}

type RoomRelayEvents = {
  /** viewers joined or joining now */
  viewers: [count: number];
  /** the upstream is gone and every viewer was closed: forget this relay */
  ended: [];
  /** the agent has no WS /relay (404: an agent older than the relay tier) */
  unsupported: [];
};

/**
 * One room's relay on this dashboard replica: a single upstream WS /relay to the room's agent, its
 * stream kept for joiners (FlvJoinCache) and fanned out to this replica's viewers by the agent's own
 * StreamFanout (the same Buffer to every viewer, skip-ahead, 4408 for the slow). The agent decides
 * who watches: a viewer is announced with `join` (its own room token) and attached to the fan-out
 * only once the agent answers `admitted`; a `close` from the agent closes it with the agent's code
 * and reason. When the upstream ends, every viewer is closed: 4504 stays 4504 (the room failed),
 * anything else becomes 4503 so players reconnect (and open a new upstream). Viewers are WS-FLV
 * sockets or HTTP-FLV responses alike (relay-client.ts): an HTTP one refused before `admitted` gets
 * the HTTP error the agent's GET /stream.flv would answer, later its response just ends.
 */
export class RoomRelay extends EventEmitter<RoomRelayEvents> {
  private readonly viewers = new Map<number, RelayViewer>();
  private readonly cache = new FlvJoinCache();
  private readonly fanout: StreamFanout;
  private readonly upstream: WebSocket;
  private readonly log: Logger;
  /** joins sent before the upstream opened wait here */
  private readonly queued: RelayUpMessage[] = [];
  private nextId = 1;
  private ended = false;

  constructor(opts: RoomRelayOptions) {
    super();
    this.log = opts.log.child({ room: opts.roomId });
    this.fanout = new StreamFanout(this.cache, { maxBacklogBytes: opts.maxBacklogBytes, logger: this.log });
    const url = new URL(opts.url);
    url.searchParams.set('token', opts.token);
    this.upstream = new WebSocket(url, {
      perMessageDeflate: false,
      handshakeTimeout: UPSTREAM_HANDSHAKE_MS,
      maxPayload: UPSTREAM_MAX_PAYLOAD_BYTES,
    });
    this.upstream.on('open', () => {
      for (const msg of this.queued.splice(0)) this.send(msg);
    });
    this.upstream.on('message', this.onUpstream);
    this.upstream.on('unexpected-response', (req, res) => {
      this.log.warn({ status: res.statusCode }, 'the agent refused the relay upstream');
      res.resume();
      req.destroy();
      if (res.statusCode === 404) this.emit('unsupported');
      this.end(WS_CLOSE.unavailable, 'room unavailable');
    });
    this.upstream.on('error', (err) => {
      this.log.debug({ err: err.message }, 'relay upstream error');
      this.end(WS_CLOSE.unavailable, 'room unavailable');
    });
    this.upstream.on('close', (code, reason) => {
      const failed = code === WS_CLOSE.roomFailed;
      this.end(failed ? code : WS_CLOSE.unavailable, failed ? String(reason) : 'room stream ended');
    });
  }

  /** Viewers joined or waiting for the agent's answer. */
  viewerCount(): number {
    return this.viewers.size;
  }

  /** Times a viewer here that fell behind skipped to a keyframe, and viewers dropped as too slow. */
  behindCounts(): { skips: number; dropped: number } {
    return { skips: this.fanout.skipCount(), dropped: this.fanout.droppedCount() };
  }

  /**
   * A viewer of WS /rooms/:id/stream or GET /rooms/:id/stream.flv with its (edge-checked) room
   * token.
   */
  add(client: RelayClient, token: string): void {
    if (this.ended) {
      client.close(WS_CLOSE.unavailable, 'room unavailable');
      return;
    }
    const id = this.nextId++;
    const viewer: RelayViewer = { client, handle: null };
    this.viewers.set(id, viewer);
    client.onGone(() => {
      if (this.viewers.get(id) !== viewer) return;
      this.forget(id);
      this.send({ type: 'leave', id });
    });
    this.send({ type: 'join', id, token });
    this.emit('viewers', this.viewers.size);
  }

  /** Ends the upstream (the last viewer left a while ago, or the dashboard stops). */
  close(code: number = WS_CLOSE.goingAway, reason = 'relay closed'): void {
    this.end(code, reason);
  }

  private readonly onUpstream = (data: RawData, isBinary: boolean): void => {
    // The hot path: one binary message per FLV unit, handed on as is.
    if (isBinary) {
      this.cache.push(data as Buffer);
      return;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(String(data));
    } catch {
      msg = null;
    }
    if (!Value.Check(RelayDownMessage, msg)) {
      this.log.warn('the agent sent a relay message that is not in the protocol');
      return;
    }
    const viewer = this.viewers.get(msg.id);
    if (!viewer) return; // it left while the answer was on its way
    if (msg.type === 'admitted') {
      if (!viewer.handle) viewer.handle = viewer.client.admit(this.fanout);
      return;
    }
    this.forget(msg.id);
    viewer.client.close(msg.code, msg.reason);
  };

  private forget(id: number): void {
    if (!this.viewers.delete(id)) return;
    this.emit('viewers', this.viewers.size);
  }

  private send(msg: RelayUpMessage): void {
    if (this.upstream.readyState === WebSocket.CONNECTING) this.queued.push(msg);
    else if (this.upstream.readyState === WebSocket.OPEN) this.upstream.send(JSON.stringify(msg));
  }

  private end(code: number, reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.queued.length = 0;
    // the attached viewers through the fan-out, the ones still waiting for the agent directly
    this.fanout.close(code, reason);
    for (const { client, handle } of this.viewers.values()) if (!handle) client.close(code, reason);
    this.viewers.clear();
    if (this.upstream.readyState === WebSocket.OPEN) this.upstream.close(WS_CLOSE.goingAway, 'relay closed');
    else if (this.upstream.readyState === WebSocket.CONNECTING) this.upstream.terminate();
    this.log.info({ code, reason }, 'relay upstream ended');
    this.emit('viewers', 0);
    this.emit('ended');
  }
}
