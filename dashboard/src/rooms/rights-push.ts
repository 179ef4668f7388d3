import type { RightsService } from '../auth/rights-service.js';
import type { TokenService } from '../auth/token-service.js';
import type { Logger } from '../logger.js';
import type { AgentClient } from './agent-client.js';
import type { RoomRecord } from './room-driver.js';

const DASHBOARD = { sub: 'boxroom-dashboard', name: 'dashboard', role: 'operator' } as const;

export interface RightsPushDeps {
  rights: RightsService;
  tokens: TokenService;
  agent: AgentClient;
  /** the room as the driver knows it now (null: gone) */
  room(id: string): Promise<RoomRecord | null>;
  log: Logger;
}

/**
 * Tells a room's agent what was taken away (kicks, revocations), so it closes the sockets they end
 * and refuses those tokens. Sent on every change, when a room (re)becomes ready and on the reaper's
 * sweeps: an agent that restarted learns it back. Calls carry a dashboard token with the agent
 * audience. A room whose agent cannot be reached now keeps its rights here; the next push delivers.
 */
export class RightsPush {
  constructor(private readonly d: RightsPushDeps) {}

  /** Push to room `id`; never throws (a failure is logged and the next push retries). */
  async push(id: string): Promise<boolean> {
    const record = await this.d.room(id).catch(() => null);
    return record ? this.sync(record) : false;
  }

  /** Push to a room already looked up; does nothing for a room without rights taken away. */
  async sync(record: RoomRecord): Promise<boolean> {
    const id = record.spec.id;
    const rights = this.d.rights.of(id);
    if (!rights || !record.agentUrl || record.status !== 'ready') return false;
    try {
      const token = await this.d.tokens.issueForAgent({ ...DASHBOARD, room: id });
      await this.d.agent.rights(id, record.agentUrl, token, rights);
      return true;
    } catch (err) {
      this.d.log.warn({ room: id, err }, 'could not tell the agent about kicks and revocations');
      return false;
    }
  }
}
