import type { DesktopResetResult } from '@boxroom/contracts';
import { authorize } from '../auth/abilities.js';
import type { Principal } from '../auth/principal.js';
import { errors } from '../errors.js';
import type { Logger } from '../logger.js';
import type { AgentClient } from './agent-client.js';
import type { RoomManager } from './room-manager.js';

/**
 * Commands on a room's desktop itself (not the control lease). A desktop reset is the remedy for
 * what the threat model (docs/security.md) cannot prevent: a former controller's background job,
 * running as the desktop user, can keep typing through XTEST after losing control. The agent ends
 * every process of that user and starts the app afresh; viewers and control are untouched.
 */
export class DesktopService {
  constructor(
    private readonly rooms: RoomManager,
    private readonly agent: AgentClient,
    private readonly log: Logger,
  ) {}

  async reset(p: Principal | null, id: string): Promise<DesktopResetResult> {
    if (!p) throw errors.unauthorized();
    const record = await this.rooms.require(id);
    authorize(p, 'desktop:reset', record.spec);
    const agentUrl = await this.rooms.agentUrl(id);
    // The dashboard's own command: an agent-audience token, whoever asked (their role is checked above).
    await this.agent.resetDesktop(id, agentUrl, await this.rooms.commandToken(p, id));
    this.log.info({ room: id, by: p.id, role: p.role }, 'desktop reset');
    return { room: id, status: 'resetting' };
  }
}
