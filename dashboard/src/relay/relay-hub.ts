import { WS_CLOSE } from '@boxroom/contracts';
import type { Logger } from '../logger.js';
import type { RelayClient } from './relay-client.js';
import { RoomRelay, type RoomRelayOptions } from './room-relay.js';

/**
 * A room whose agent has no WS /relay (it predates the relay tier) is proxied 1:1 for this long
 * before the relay is tried again.
 */
export const RELAY_UNSUPPORTED_RETRY_MS = 10 * 60_000;
/** An upstream with no viewer left is kept this long: a reload or a player's reconnect reuses it. */
export const RELAY_LINGER_MS = 5_000;
/**
 * A relayed viewer whose unsent bytes pass this is dropped (4408): the agent's default
 * (BOXROOM_VIEWER_MAX_BACKLOG_BYTES), above the relay's GOP cap (RELAY_GOP_MAX_BYTES).
 */
export const RELAY_VIEWER_MAX_BACKLOG_BYTES = 4 * 1024 * 1024;

export interface RelayHubDeps {
  /** a fresh dashboard agent-call token for a room's agent (TokenService.issueForAgent) */
  agentToken(roomId: string): Promise<string>;
  /** the relays' logger (mod: relay): each room's relay adds `room` */
  log: Logger;
  lingerMs?: number;
  /** tests: another relay (a stand-in upstream) */
  openRelay?: (opts: RoomRelayOptions) => RoomRelay;
}

interface HubEntry {
  relay: RoomRelay;
  linger: NodeJS.Timeout | null;
}

/**
 * This replica's relays, one per room that has viewers here: opened with the room's first viewer,
 * closed RELAY_LINGER_MS after its last one left, forgotten when its upstream ends (its viewers were
 * closed with 4503 or 4504, and their reconnects open a new one). Metrics read upstreams(),
 * viewers() and behindCounts() when scraped.
 */
export class RelayHub {
  private readonly rooms = new Map<string, HubEntry>();
  /** relays whose agent token is being minted: viewers arriving meanwhile wait for the same one */
  private readonly opening = new Map<string, Promise<HubEntry>>();
  private readonly lingerMs: number;
  /** rooms whose agent answered 404 to WS /relay -> when to try again (ms) */
  private readonly unsupported = new Map<string, number>();
  private closed = false;
  /** skips and drops of the relays that have ended (the open ones count their own) */
  private readonly retired = { skips: 0, dropped: 0 };

  constructor(private readonly d: RelayHubDeps) {
    this.lingerMs = d.lingerMs ?? RELAY_LINGER_MS;
  }

  /**
   * Hands a viewer of `roomId` (a WS or an HTTP-FLV one, its room token already checked at the edge)
   * to the room's relay, opening one if there is none. `agentUrl` is the room agent's base URL.
   */
  async attach(roomId: string, agentUrl: string, client: RelayClient, token: string): Promise<void> {
    const entry = this.rooms.get(roomId) ?? (await this.open(roomId, agentUrl));
    if (!client.isOpen()) return; // gone while the upstream was being set up
    entry.relay.add(client, token);
  }

  /**
   * Whether `roomId`'s viewers go through the relay: not when its agent predates WS /relay (found
   * out by the first upstream, whose viewers were closed with 4503: their reconnects are proxied).
   */
  relays(roomId: string): boolean {
    const until = this.unsupported.get(roomId);
    if (until === undefined) return true;
    if (Date.now() < until) return false;
    this.unsupported.delete(roomId);
    return true;
  }

  /** Upstreams open now. */
  upstreams(): number {
    return this.rooms.size;
  }

  /** Viewers on this replica's relays now (admitted, or waiting for the agent's answer). */
  viewers(): number {
    let n = 0;
    for (const { relay } of this.rooms.values()) n += relay.viewerCount();
    return n;
  }

  /**
   * Since this replica started: times a relayed viewer that fell behind skipped video up to a
   * keyframe, and relayed viewers dropped as too slow (4408). With the relay on, these are where slow
   * viewers show: the agent sees one reader per replica.
   */
  behindCounts(): { skips: number; dropped: number } {
    const n = { ...this.retired };
    for (const { relay } of this.rooms.values()) {
      const c = relay.behindCounts();
      n.skips += c.skips;
      n.dropped += c.dropped;
    }
    return n;
  }

  /** Closes every upstream and its viewers (the dashboard stops): players reconnect elsewhere. */
  close(): void {
    this.closed = true;
    for (const { relay } of [...this.rooms.values()]) relay.close(WS_CLOSE.unavailable, 'dashboard stopping');
  }

  private open(roomId: string, agentUrl: string): Promise<HubEntry> {
    let pending = this.opening.get(roomId);
    if (pending) return pending;
    pending = this.d
      .agentToken(roomId)
      .then((token) => this.start(roomId, agentUrl, token))
      .finally(() => this.opening.delete(roomId));
    this.opening.set(roomId, pending);
    return pending;
  }

  private start(roomId: string, agentUrl: string, token: string): HubEntry {
    const url = new URL('/relay', agentUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const opts: RoomRelayOptions = {
      roomId,
      url: url.toString(),
      token,
      maxBacklogBytes: RELAY_VIEWER_MAX_BACKLOG_BYTES,
      log: this.d.log,
    };
    const relay = (this.d.openRelay ?? ((o) => new RoomRelay(o)))(opts);
    const entry: HubEntry = { relay, linger: null };
    this.rooms.set(roomId, entry);
    relay.on('viewers', (count) => this.viewersChanged(roomId, entry, count));
    relay.once('unsupported', () => {
      this.d.log.warn({ room: roomId }, 'the room agent has no WS /relay: its viewers are proxied 1:1');
      this.unsupported.set(roomId, Date.now() + RELAY_UNSUPPORTED_RETRY_MS);
    });
    relay.once('ended', () => {
      if (entry.linger) clearTimeout(entry.linger);
      if (this.rooms.get(roomId) !== entry) return;
      this.rooms.delete(roomId);
      const c = relay.behindCounts();
      this.retired.skips += c.skips;
      this.retired.dropped += c.dropped;
    });
    if (this.closed) relay.close(WS_CLOSE.unavailable, 'dashboard stopping');
    else this.d.log.info({ room: roomId, upstreams: this.rooms.size }, 'relay upstream opened');
    // Armed now, cancelled by the first viewer: a viewer that went while the upstream was opened
    // never reaches it, and the upstream must not stay open for nobody until the room ends.
    this.viewersChanged(roomId, entry, 0);
    return entry;
  }

  private viewersChanged(roomId: string, entry: HubEntry, count: number): void {
    if (count > 0) {
      if (entry.linger) clearTimeout(entry.linger);
      entry.linger = null;
      return;
    }
    if (entry.linger || this.rooms.get(roomId) !== entry) return;
    entry.linger = setTimeout(() => {
      entry.linger = null;
      if (entry.relay.viewerCount() === 0) entry.relay.close(WS_CLOSE.goingAway, 'no viewers left');
    }, this.lingerMs);
    entry.linger.unref();
  }
}
