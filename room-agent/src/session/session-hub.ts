import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import {
  LATENCY_REPORT_MAX_MS,
  LATENCY_REPORT_MIN_INTERVAL_MS,
  WS_CLOSE,
  type ParticipantRef,
  type Presence,
  type SessionEvent,
} from '@boxroom/contracts';
import type { Logger } from '../logger.js';

/** Distributes SessionEvent objects without the `seq`, which the hub assigns. */
type Unsequenced<E> = E extends { seq: number } ? Omit<E, 'seq'> : never;
export type OutgoingEvent = Unsequenced<Exclude<SessionEvent, { type: 'hello' }>>;

interface Member {
  presence: Presence;
  sockets: Set<WebSocket>;
}

export interface SessionHubEvents {
  /** the participant's first session socket opened */
  join: [ParticipantRef];
  /** the participant's last session socket closed */
  leave: [ParticipantRef];
  /** a session socket of this participant sent `{type: "renew", token}` (not verified yet) */
  renew: [participantId: string, token: string, ws: WebSocket];
  /** a session socket of this participant sent `{type: "clipboard", text}`: a paste (not checked yet) */
  clipboard: [participantId: string, text: string];
  /** a player's glass-to-glass figure in ms (bounded, at most one per socket per interval) */
  latency: [ms: number];
}

/** A page renews a few times per token life: more than one renewal a second per socket is ignored. */
const RENEW_MIN_INTERVAL_MS = 1000;

/** A session socket with this much unsent JSON is not reading: drop it rather than buffer. */
const SESSION_MAX_BACKLOG_BYTES = 1024 * 1024;

/**
 * Presence and the JSON event channel of one room. A participant may have several sockets (tabs);
 * presence changes only on the first open and the last close.
 */
export class SessionHub extends EventEmitter<SessionHubEvents> {
  private readonly members = new Map<string, Member>();
  /** when each socket last asked for a renewal (each one costs a signature check) */
  private readonly lastRenew = new WeakMap<WebSocket, number>();
  /** when each socket last reported its latency: a page cannot flood the room's histogram */
  private readonly lastLatency = new WeakMap<WebSocket, number>();
  private seq = 0;

  constructor(private readonly log: Logger) {
    super();
  }

  participants(): Presence[] {
    return [...this.members.values()].map((m) => m.presence);
  }

  has(participantId: string): boolean {
    return this.members.has(participantId);
  }

  get(participantId: string): ParticipantRef | null {
    return this.members.get(participantId)?.presence ?? null;
  }

  /** Registers the socket; `hello` builds the first message (current state) with the hub's seq. */
  attach(ws: WebSocket, who: ParticipantRef, hello: (seq: number) => SessionEvent): void {
    let member = this.members.get(who.id);
    const first = !member;
    if (!member) {
      member = {
        presence: { id: who.id, name: who.name, role: who.role, joinedAt: Date.now() },
        sockets: new Set(),
      };
      this.members.set(who.id, member);
    }
    member.sockets.add(ws);
    this.sendTo(ws, JSON.stringify(hello(this.seq)));
    if (first) {
      this.broadcast({ type: 'presence/join', participant: member.presence });
      this.emit('join', member.presence);
    }
    ws.on('message', (data, isBinary) => this.onMessage(ws, who.id, data, isBinary));
    ws.once('close', () => this.detach(ws, who.id));
  }

  broadcast(event: OutgoingEvent): void {
    this.seq += 1;
    // Serialize once for every socket.
    const text = JSON.stringify({ ...event, seq: this.seq });
    for (const m of this.members.values()) for (const ws of m.sockets) this.sendTo(ws, text);
  }

  closeAll(code: number, reason: string): void {
    for (const m of this.members.values()) for (const ws of m.sockets) ws.close(code, reason);
  }

  /** One event to one socket (an answer to what it sent), with the current seq. */
  reply(ws: WebSocket, event: OutgoingEvent): void {
    this.sendTo(ws, JSON.stringify({ ...event, seq: this.seq }));
  }

  /**
   * One event to every session socket of one participant and nobody else (the clipboard), with the
   * current seq: it is not a change of the room, so other participants' sequences see no gap.
   */
  sendToParticipant(participantId: string, event: OutgoingEvent): void {
    const member = this.members.get(participantId);
    if (!member) return;
    const text = JSON.stringify({ ...event, seq: this.seq });
    for (const ws of member.sockets) this.sendTo(ws, text);
  }

  private onMessage(ws: WebSocket, participantId: string, data: unknown, isBinary: boolean): void {
    if (isBinary) return ws.close(1003, 'text JSON only');
    let msg: unknown;
    try {
      msg = JSON.parse(String(data));
    } catch {
      return ws.close(1007, 'invalid JSON');
    }
    if (msg && typeof msg === 'object' && (msg as { type?: unknown }).type === 'ping') {
      // a finite number or 0: JSON has no Infinity, and `t: null` would break the pong's contract
      const raw = Number((msg as { t?: unknown }).t);
      const t = Number.isFinite(raw) ? raw : 0;
      this.sendTo(ws, JSON.stringify({ type: 'pong', seq: this.seq, t }));
    } else if (msg && typeof msg === 'object' && (msg as { type?: unknown }).type === 'renew') {
      const token = (msg as { token?: unknown }).token;
      const now = Date.now();
      if (typeof token !== 'string' || token.length > 4096) return;
      if (now - (this.lastRenew.get(ws) ?? 0) < RENEW_MIN_INTERVAL_MS) return;
      this.lastRenew.set(ws, now);
      this.emit('renew', participantId, token, ws);
    } else if (msg && typeof msg === 'object' && (msg as { type?: unknown }).type === 'clipboard') {
      const text = (msg as { text?: unknown }).text;
      if (typeof text === 'string') this.emit('clipboard', participantId, text);
    } else if (msg && typeof msg === 'object' && (msg as { type?: unknown }).type === 'latency') {
      const ms = (msg as { glassToGlassMs?: unknown }).glassToGlassMs;
      const now = Date.now();
      if (typeof ms !== 'number' || !(ms >= 0 && ms <= LATENCY_REPORT_MAX_MS)) return;
      if (now - (this.lastLatency.get(ws) ?? 0) < LATENCY_REPORT_MIN_INTERVAL_MS) return;
      this.lastLatency.set(ws, now);
      this.emit('latency', ms);
    }
  }

  private sendTo(ws: WebSocket, text: string): void {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > SESSION_MAX_BACKLOG_BYTES) {
      ws.close(WS_CLOSE.tooSlow, 'session reader too slow');
      return;
    }
    ws.send(text);
  }

  private detach(ws: WebSocket, id: string): void {
    const member = this.members.get(id);
    if (!member) return;
    member.sockets.delete(ws);
    if (member.sockets.size > 0) return;
    this.members.delete(id);
    this.log.debug({ participant: id }, 'participant left');
    this.broadcast({ type: 'presence/leave', participantId: id });
    this.emit('leave', member.presence);
  }
}
