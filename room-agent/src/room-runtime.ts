import { AGENT_PROTOCOL_VERSION, WS_CLOSE, type AgentHealth, type ExpiryReason } from '@boxroom/contracts';
import type { ControlHistory } from './control/control-history.js';
import type { ControlLease } from './control/control-lease.js';
import type { ExpiryWatch } from './lifecycle/expiry-watch.js';
import type { DesktopReset } from './desktop/desktop-reset.js';
import type { InputGate } from './input/index.js';
import type { Logger } from './logger.js';
import type { MediaServer, StreamFanout } from './media/index.js';
import type { SessionHub } from './session/session-hub.js';
import type { Supervisor } from './supervisor/supervisor.js';

/** The room's stream viewers, direct and relayed (media/relay-upstreams.ts). */
export interface ViewerCount {
  viewerCount(): number;
  on(event: 'viewers', fn: (count: number) => void): unknown;
}

export interface RoomParts {
  roomId: string;
  log: Logger;
  supervisor: Supervisor;
  media: MediaServer;
  fanout: StreamFanout;
  /** who watches: the fan-out's readers and the relays' viewers (the relays themselves not) */
  viewers: ViewerCount;
  lease: ControlLease;
  history: ControlHistory;
  expiry: ExpiryWatch;
  session: SessionHub;
  gate: InputGate;
  /** who the desktop runs as (see desktop/desktop-user.ts), reported in /healthz */
  isolation: 'desktop-user' | 'none';
  desktopReset: Pick<DesktopReset, 'reset'>;
}

const EXPIRY_WHAT: Record<ExpiryReason, string> = {
  'max-age': 'reached its maximum age',
  'no-viewers': 'had nobody watching',
  'no-input': 'had no input',
};

function clockTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

/**
 * Wires the room's parts together, so none of them reaches into another: the lease decides who may
 * send input, the gate enforces it, the session channel tells everyone, the supervisor's health is
 * aggregated for /healthz.
 */
export class RoomRuntime {
  private stopping = false;
  private everOk = false;
  /** set once the desktop could not come back: the room has failed */
  private failure: { at: number; detail: string } | null = null;

  constructor(private readonly p: RoomParts) {
    p.lease.on('change', (c) => {
      p.history.record(c);
      p.session.broadcast({ type: 'control', control: c.state, reason: c.reason, by: c.by });
      const admitted = p.gate.participantId;
      // Any admitted socket that is not the new holder's goes, also when the holder did not change
      // (defensive: the gate must never stay open for someone the lease does not name).
      if (admitted !== null && admitted !== c.state.holder?.id) {
        // Releases every key and button the old holder still had down, then closes their socket
        // (4409). The new holder's /input is admitted only after those releases were written.
        void p.gate.revoke(
          WS_CLOSE.controlRevoked,
          c.state.holder ? 'control passed to another participant' : 'control released',
        );
      }
    });
    p.session.on('join', (who) => {
      p.lease.connected(who.id);
      this.viewersChanged();
    });
    p.session.on('leave', (who) => {
      p.lease.disconnected(who.id);
      this.viewersChanged();
    });
    p.viewers.on('viewers', () => this.viewersChanged());
    p.supervisor.on('status', (h) =>
      p.session.broadcast({ type: 'health', process: h.name, status: h.status }),
    );
    p.expiry.on('warning', ({ reason, at }) => {
      p.log.info({ reason, at }, 'room timeout warning');
      const message = `This room ${EXPIRY_WHAT[reason]} and will be deleted at ${clockTime(at)} UTC`;
      p.session.broadcast({ type: 'warning', reason, at, message, stage: 'warning' });
    });
    p.expiry.on('cleared', ({ reason, at, extended }) => {
      p.log.info({ reason, extended }, 'room timeout warning cleared');
      const message = extended
        ? 'The room was given more time and will not be deleted now'
        : 'The room is in use again and will not be deleted';
      p.session.broadcast({ type: 'warning', reason, at, message, stage: 'cleared' });
    });
    p.expiry.on('expired', ({ reason, at }) => {
      p.log.warn({ reason }, 'room expired: waiting for the dashboard to delete it');
      const message = `This room ${EXPIRY_WHAT[reason]} and is being deleted`;
      p.session.broadcast({ type: 'warning', reason, at, message, stage: 'expired' });
    });
  }

  /** Starts the lifecycle clocks; the processes are started by the composition root. */
  start(): void {
    this.viewersChanged();
    this.p.expiry.start();
  }

  private viewersChanged(): void {
    this.p.expiry.setViewers(this.p.session.participants().length + this.p.viewers.viewerCount());
  }

  /**
   * Resolves once health() is `ok` (or the room is stopping), or when `timeoutMs` passes or `signal`
   * aborts, whichever comes first: GET /healthz?wait= answers the moment the room is ready, so the
   * dashboard learns it without polling. Listens only while someone waits.
   */
  whenOk(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const settled = () => this.stopping || this.health().status === 'ok';
    if (settled() || timeoutMs <= 0 || signal?.aborted) return Promise.resolve();
    const { supervisor, media } = this.p;
    return new Promise<void>((resolve) => {
      const check = (): void => {
        if (settled()) done();
      };
      const done = (): void => {
        clearTimeout(timer);
        supervisor.off('status', check);
        media.off('publish', check);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      supervisor.on('status', check);
      media.on('publish', check);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  health(): AgentHealth {
    const { supervisor, media, viewers } = this.p;
    const publishing = media.isPublishing();
    const ok = supervisor.allReady() && publishing;
    if (ok) this.everOk = true;
    const status = this.failure
      ? 'failed'
      : this.stopping
        ? 'stopping'
        : ok
          ? 'ok'
          : this.everOk
            ? 'degraded'
            : 'starting';
    return {
      status,
      room: this.p.roomId,
      isolation: this.p.isolation,
      protocol: AGENT_PROTOCOL_VERSION,
      publishing,
      viewers: viewers.viewerCount(),
      expired: this.p.expiry.expired(),
      processes: supervisor.health(),
      events: supervisor.recentEvents(),
      ...(this.failure ? { failure: this.failure } : {}),
    };
  }

  /** POST /desktop/reset: tells the room, then ends the desktop's processes and restarts it in the background. */
  resetDesktop(by: string): void {
    if (this.stopping) return;
    this.p.session.broadcast({ type: 'desktop/reset', by, at: Date.now() });
    this.p.desktopReset.reset(by).catch(() => {
      // logged by DesktopReset; the supervisor still restarts the wm and the app
    });
  }

  /**
   * The desktop cannot come back: everyone is told so (4504 and why, not "restarting" for ever:
   * a browser stops reconnecting on it) before the agent stops. New sockets meet 4504 too.
   */
  fail(detail: string): void {
    if (this.failure) return;
    this.failure = { at: Date.now(), detail };
    const { log, session, gate, fanout } = this.p;
    log.error({ detail }, 'room failed: the desktop cannot come back');
    // a close reason is at most 123 bytes
    const reason = `room failed: ${detail}`.slice(0, 120);
    session.closeAll(WS_CLOSE.roomFailed, reason);
    fanout.close(WS_CLOSE.roomFailed, reason);
    void gate.revoke(WS_CLOSE.roomFailed, reason);
  }

  /** Why the room failed, or null: sockets opened after are closed with 4504 and this. */
  failed(): { at: number; detail: string } | null {
    return this.failure;
  }

  /** Stops in reverse order of start: people first, then processes, then the media server. */
  async stop(): Promise<void> {
    this.stopping = true;
    const { log, session, gate, fanout, lease, supervisor, media } = this.p;
    session.closeAll(WS_CLOSE.goingAway, 'room agent stopping');
    lease.close();
    this.p.expiry.close();
    const steps: Array<[string, () => Promise<void> | void]> = [
      ['input gate', () => gate.stop()],
      ['viewers', () => fanout.close()],
      ['processes', () => supervisor.stop()],
      ['media server', () => media.stop()],
    ];
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (err) {
        log.error({ err }, `stopping ${name} failed`);
      }
    }
  }
}
