import type { AgentLiveSettings } from '@boxroom/contracts';
import type { TokenService } from '../auth/token-service.js';
import { AppError, errors } from '../errors.js';
import type { Logger } from '../logger.js';
import type { AgentClient } from './agent-client.js';
import type { RoomRecord } from './room-driver.js';
import type { RoomSettingsService } from './room-settings-service.js';

const DASHBOARD = { sub: 'boxroom-dashboard', name: 'dashboard', role: 'operator' } as const;

export interface SettingsPushDeps {
  settings: RoomSettingsService;
  tokens: TokenService;
  agent: AgentClient;
  log: Logger;
}

/**
 * Tells a room's agent its live settings (POST /settings, the whole state, with a dashboard token):
 * on a PATCH, where a refusal is the caller's answer, and whenever the room (re)becomes ready, so a
 * restarted agent takes its size and policy back.
 */
export class SettingsPush {
  constructor(private readonly d: SettingsPushDeps) {}

  /** Sends `next` now; throws the agent's refusal (409: the screen cannot take the size). */
  async send(record: RoomRecord, next: AgentLiveSettings): Promise<void> {
    const id = record.spec.id;
    if (!record.agentUrl) throw errors.roomUnavailable(id);
    const token = await this.d.tokens.issueForAgent({ ...DASHBOARD, room: id });
    try {
      await this.d.agent.settings(id, record.agentUrl, token, next);
    } catch (err) {
      // an agent of an earlier build has no /settings
      if (err instanceof AppError && err.code === 'not_found')
        throw errors.conflict(`room ${id} runs an agent that cannot change settings while it runs`);
      throw err;
    }
  }

  /** What is stored, to a room that became ready; never throws (logged: the next ready retries). */
  async sync(record: RoomRecord): Promise<void> {
    if (!record.agentUrl || record.status !== 'ready') return;
    const next = this.d.settings.of(record.spec);
    try {
      await this.send(record, next);
    } catch (err) {
      this.d.log.warn({ room: record.spec.id, err }, 'could not tell the agent its live settings');
    }
  }
}
