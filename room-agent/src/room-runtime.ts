import { WS_CLOSE, type AgentHealth } from '@boxroom/contracts';
import type { ControlLease } from './control/control-lease.js';
import type { InputGate } from './input/index.js';
import type { Logger } from './logger.js';
import type { MediaServer, StreamFanout } from './media/index.js';
import type { SessionHub } from './session/session-hub.js';
import type { Supervisor } from './supervisor/supervisor.js';

export interface RoomParts {
  roomId: string;
  log: Logger;
  supervisor: Supervisor;
  media: MediaServer;
  fanout: StreamFanout;
  lease: ControlLease;
  session: SessionHub;
  gate: InputGate;
}

/**
 * Wires the room's parts together, so none of them reaches into another: the lease decides who may
 * send input, the gate enforces it, the session channel tells everyone, the supervisor's health is
 * aggregated for /healthz.
 */
export class RoomRuntime {
  private stopping = false;
  private everOk = false;

  constructor(private readonly p: RoomParts) {
    p.lease.on('change', (c) => {
      p.session.broadcast({ type: 'control', control: c.state, reason: c.reason, by: c.by });
      const admitted = p.gate.participantId;
      if (c.holderChanged && admitted !== null && admitted !== c.state.holder?.id) {
        // Releases every key and button the old holder still had down, then closes their socket.
        void p.gate.revoke(
          WS_CLOSE.controlRevoked,
          c.state.holder ? 'control passed to another participant' : 'control released',
        );
      }
    });
    p.session.on('join', (who) => p.lease.connected(who.id));
    p.session.on('leave', (who) => p.lease.disconnected(who.id));
    p.supervisor.on('status', (h) =>
      p.session.broadcast({ type: 'health', process: h.name, status: h.status }),
    );
  }

  health(): AgentHealth {
    const { supervisor, media, fanout } = this.p;
    const publishing = media.isPublishing();
    const ok = supervisor.allReady() && publishing;
    if (ok) this.everOk = true;
    const status = this.stopping ? 'stopping' : ok ? 'ok' : this.everOk ? 'degraded' : 'starting';
    return {
      status,
      room: this.p.roomId,
      publishing,
      viewers: fanout.viewerCount(),
      processes: supervisor.health(),
      events: supervisor.recentEvents(),
    };
  }

  /** Stops in reverse order of start: people first, then processes, then the media server. */
  async stop(): Promise<void> {
    this.stopping = true;
    const { log, session, gate, fanout, lease, supervisor, media } = this.p;
    session.closeAll(WS_CLOSE.goingAway, 'room agent stopping');
    lease.close();
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
