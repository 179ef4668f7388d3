import type { ControlAction, ControlState, ControlVerb, GiveBody } from '@boxroom/contracts';
import { authorize } from '../auth/abilities.js';
import type { Principal } from '../auth/principal.js';
import { errors } from '../errors.js';
import type { Logger } from '../logger.js';
import type { AgentClient } from './agent-client.js';
import type { RoomManager } from './room-manager.js';

/**
 * Control actions through the API: checked here with the caller's abilities (so a viewer gets a
 * clear 403 without bothering the agent), then forwarded to the agent, which owns the lease and
 * has the final word.
 */
export class ControlService {
  constructor(
    private readonly rooms: RoomManager,
    private readonly agent: AgentClient,
    private readonly log: Logger,
  ) {}

  async act(p: Principal | null, id: string, action: ControlVerb): Promise<ControlState> {
    return this.forward(p, id, action);
  }

  async give(p: Principal | null, id: string, body: GiveBody): Promise<ControlState> {
    return this.forward(p, id, 'give', { participantId: body.participantId });
  }

  private async forward(
    p: Principal | null,
    id: string,
    action: ControlAction,
    body?: GiveBody,
  ): Promise<ControlState> {
    if (!p) throw errors.unauthorized();
    const record = await this.rooms.require(id);
    authorize(p, `control:${action}`, record.spec);
    const agentUrl = await this.rooms.agentUrl(id);
    const state = await this.agent.control(id, agentUrl, await this.rooms.agentToken(p, id), action, body);
    this.log.debug({ room: id, by: p.id, action, seq: state.seq }, 'control');
    return state;
  }
}
