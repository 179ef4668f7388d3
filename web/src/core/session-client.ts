import { WS_CLOSE, type SessionClientMessage, type SessionEvent } from '@boxroom/contracts';

/** The session events that are this participant's clipboard, not the room's state. */
export type ClipboardSessionEvent = Extract<
  SessionEvent,
  { type: 'clipboard' | 'clipboard/pasted' | 'clipboard/refused' }
>;
import { Backoff, PAGE_RECONNECT } from './backoff.js';
import { closeVerdict } from './close-reasons.js';
import { INITIAL_SESSION, reduceSession, type SessionAction, type SessionState } from './session-state.js';

export interface SessionClientOptions {
  url: () => string;
  onState: (s: SessionState) => void;
  /** the token is no longer accepted (4401): the page should join again */
  onRejoin?: () => void;
  /** the room's clipboard for this participant (the controller), and answers to its pastes */
  onClipboard?: (ev: ClipboardSessionEvent) => void;
  pingIntervalMs?: number;
  WebSocketImpl?: typeof WebSocket;
  now?: () => number;
}

/**
 * WS /session: applies events through the reducer, pings for the round trip, reconnects with backoff
 * (the agent restarting closes with 4503), and stops on closes that retrying cannot fix.
 */
export class SessionClient {
  private ws: WebSocket | null = null;
  private state: SessionState = INITIAL_SESSION;
  private readonly backoff = new Backoff(PAGE_RECONNECT);
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private stopped = true;
  private readonly now: () => number;

  constructor(private readonly opts: SessionClientOptions) {
    this.now = opts.now ?? (() => performance.now());
  }

  get current(): SessionState {
    return this.state;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000, 'leaving');
  }

  /**
   * Hands a renewed token to the agent over the open socket: the page's open sockets (session, stream,
   * input) then live until its expiry. Without an open socket nothing is sent: the next connect uses
   * the new token anyway.
   */
  renew(token: string): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== 1) return;
    const msg: SessionClientMessage = { type: 'renew', token };
    ws.send(JSON.stringify(msg));
  }

  /**
   * The controller's paste for the room's clipboard; false when no socket is open. The agent answers
   * `clipboard/pasted` or `clipboard/refused` (onClipboard).
   */
  sendClipboard(text: string): boolean {
    return this.send({ type: 'clipboard', text });
  }

  /** The player's glass-to-glass figure for the room's metrics; false when no socket is open. */
  sendLatency(glassToGlassMs: number): boolean {
    return this.send({ type: 'latency', glassToGlassMs });
  }

  /** One message on the open socket; false when none is open. */
  private send(msg: SessionClientMessage): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== 1) return false;
    ws.send(JSON.stringify(msg));
    return true;
  }

  /** Drop the connection and open a fresh one now (e.g. after a sequence gap, or a new token). */
  reconnect(): void {
    if (this.stopped) return;
    this.clearTimers();
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000, 'resync');
    this.open();
  }

  private open(): void {
    this.dispatch({ type: this.state.seq < 0 ? 'connecting' : 'reconnecting', reason: 'connecting' });
    const Impl = this.opts.WebSocketImpl ?? WebSocket;
    const ws = new Impl(this.opts.url());
    this.ws = ws;
    ws.onmessage = (m) => {
      if (this.ws !== ws) return;
      let ev: SessionEvent;
      try {
        ev = JSON.parse(String(m.data)) as SessionEvent;
      } catch {
        return;
      }
      if (ev.type === 'clipboard' || ev.type === 'clipboard/pasted' || ev.type === 'clipboard/refused') {
        this.opts.onClipboard?.(ev);
        return;
      }
      if (ev.type === 'hello') {
        this.backoff.reset();
        this.startPings(ws);
      }
      this.dispatch({ type: 'event', event: ev, nowMs: this.now() });
      if (this.state.stale) this.reconnect();
    };
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.clearTimers();
      if (this.stopped) return;
      const v = closeVerdict(e.code, e.reason, 'session');
      if (v.rejoin) {
        this.dispatch({ type: 'closed', reason: v.message });
        this.opts.onRejoin?.();
        return;
      }
      if (!v.retry) {
        const roomEnded = e.code === WS_CLOSE.roomFailed || e.code === WS_CLOSE.notFound;
        this.dispatch({ type: 'closed', reason: v.message, roomEnded });
        return;
      }
      this.dispatch({ type: 'reconnecting', reason: v.message });
      this.retryTimer = setTimeout(() => this.open(), this.backoff.next());
    };
  }

  private startPings(ws: WebSocket): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    const ping = () => {
      if (ws.readyState !== 1) return;
      const msg: SessionClientMessage = { type: 'ping', t: this.now() };
      ws.send(JSON.stringify(msg));
    };
    ping();
    this.pingTimer = setInterval(ping, this.opts.pingIntervalMs ?? 2000);
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.retryTimer = this.pingTimer = null;
  }

  private dispatch(a: SessionAction): void {
    this.state = reduceSession(this.state, a);
    this.opts.onState(this.state);
  }
}
