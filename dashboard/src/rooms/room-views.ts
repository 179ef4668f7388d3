import type {
  ControlState,
  JoinedRoom,
  ParticipantRef,
  Presence,
  ResolvedRoomTimeouts,
  Room,
  RoomExpiry,
  RoomLinks,
} from '@boxroom/contracts';
import { can } from '../auth/abilities.js';
import type { Principal } from '../auth/principal.js';
import type { Logger } from '../logger.js';
import type { RoomLiveSettings } from '../store/state-store.js';
import type { AgentClient } from './agent-client.js';
import type { AgentProtocol, AgentProtocols } from './agent-protocol.js';
import type { RoomRecord, RoomSpec } from './room-driver.js';
import { createdSettings, liveTimeouts, type RoomSettingsService } from './room-settings-service.js';

export interface RoomViewsDeps {
  settings?: RoomSettingsService | undefined;
  agent: AgentClient;
  protocols: AgentProtocols;
  log: Logger;
  /** the invite links, shown to those who may invite */
  links(id: string): RoomLinks;
  /** the token to ask a room's agent with on the caller's behalf */
  agentToken(p: Principal, roomId: string): Promise<string>;
}

/** What the API answers about a room: from its spec, its live settings and, when ready, its agent. */
export class RoomViews {
  constructor(private readonly d: RoomViewsDeps) {}

  /** What anyone holding an invite may know of a room (the join answer carries it). */
  summary(r: RoomRecord): JoinedRoom {
    const { spec } = r;
    const { width, height } = this.liveSettings(spec);
    return {
      id: spec.id,
      name: spec.name,
      status: r.status,
      width,
      height,
      fps: spec.fps,
      app: spec.app,
    };
  }

  /** What the room was made from: its template and, for a browser, the page it opened. */
  private madeFrom(spec: RoomSpec): Pick<Room, 'template' | 'startUrl'> {
    return {
      ...(spec.template !== undefined ? { template: spec.template } : {}),
      ...(spec.startUrl !== undefined ? { startUrl: spec.startUrl } : {}),
    };
  }

  /** The room's size and policies in force now (PATCH /api/rooms/:id changes them). */
  liveSettings(spec: RoomSpec): RoomLiveSettings {
    return this.d.settings?.of(spec) ?? createdSettings(spec);
  }

  /** The room's timeouts in force now: an extend (PATCH) over those it was created with. */
  timeoutsOf(spec: RoomSpec): ResolvedRoomTimeouts {
    return liveTimeouts(this.liveSettings(spec), spec);
  }

  view(p: Principal, r: RoomRecord): Room {
    const { spec } = r;
    return {
      ...this.summary(r),
      ...this.madeFrom(spec),
      createdAt: new Date(spec.createdAt).toISOString(),
      settings: this.liveSettings(spec).settings,
      timeouts: this.timeoutsOf(spec),
      profile: spec.profile ?? null,
      ...(can(p, 'invite', spec) ? { links: this.d.links(spec.id) } : {}),
      ...(r.stale ? { stale: true } : {}),
      // why it failed: failed rooms only, so a room that recovers has none
      ...(r.status === 'failed' ? { failure: r.failure ?? null } : {}),
    };
  }

  /** The view plus live figures from the agent; an agent that does not answer gives nulls, not an error. */
  async liveView(p: Principal, r: RoomRecord): Promise<Room> {
    let viewers: number | null = null;
    let controller: ParticipantRef | null = null;
    let participants: Presence[] | null = null;
    let control: ControlState | null = null;
    let expired: RoomExpiry | null = null;
    let agentProtocol: AgentProtocol | null = null;
    if (r.status === 'ready' && r.agentUrl) agentProtocol = await this.d.protocols.of(r);
    if (r.status === 'ready' && r.agentUrl && agentProtocol?.compatible !== false) {
      try {
        const state = await this.d.agent.state(r.spec.id, r.agentUrl, await this.d.agentToken(p, r.spec.id));
        viewers = state.viewers;
        controller = state.control.holder;
        participants = state.participants;
        control = state.control;
        expired = state.expired;
      } catch (err) {
        this.d.log.warn({ room: r.spec.id, err }, 'agent state unavailable');
      }
    }
    return { ...this.view(p, r), viewers, controller, participants, control, expired, agentProtocol };
  }
}
