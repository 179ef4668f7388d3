import { sameSizeAndSettings, sameTimeouts, type AgentLiveSettings } from '@boxroom/contracts';
import type { TokenService } from '../auth/token-service.js';
import { AppError, errors } from '../errors.js';
import type { Logger } from '../logger.js';
import type { AgentClient } from './agent-client.js';
import { KeyedSerial } from './keyed-serial.js';
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
 * Whether the agent's report (`a`) matches what is stored (`b`); stored timeouts count only once a
 * PATCH set them (an agent restarted since is back at its created ones).
 */
export function sameLiveSettings(a: AgentLiveSettings, b: AgentLiveSettings): boolean {
  return (b.timeouts === undefined || sameTimeouts(a.timeouts, b.timeouts)) && sameSizeAndSettings(a, b);
}

/**
 * Tells a room's agent its live settings (POST /settings, the whole state, with a dashboard token):
 * on a PATCH, where a refusal is the caller's answer, whenever the room (re)becomes ready, and on the
 * reaper's sweeps when the agent reports other settings than those stored (an agent restarted too
 * fast to be seen as a status move is back at its create-time ones; a failed push is retried there).
 * Every read-push-store of a room runs through `exclusive`, so two changes cannot undo each other.
 */
export class SettingsPush {
  private readonly serial = new KeyedSerial();

  constructor(private readonly d: SettingsPushDeps) {}

  /** Runs `task` after every earlier settings task of room `id` ended. */
  exclusive<T>(id: string, task: () => Promise<T>): Promise<T> {
    return this.serial.run(id, task);
  }

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
      // an agent of an earlier build refuses a body with timeouts: the room cannot be extended
      if (err instanceof AppError && err.code === 'bad_request' && next.timeouts)
        throw errors.conflict(`room ${id} runs an agent that cannot change its timeouts while it runs`);
      throw err;
    }
  }

  /**
   * What is stored, to a ready room; never throws (logged: the reaper's next sweep retries). With
   * `reported`, the agent's own word on its settings, only when they differ. Returns whether it sent.
   */
  sync(record: RoomRecord, reported?: AgentLiveSettings): Promise<boolean> {
    if (!record.agentUrl || record.status !== 'ready') return Promise.resolve(false);
    return this.exclusive(record.spec.id, async () => {
      const next = this.d.settings.of(record.spec);
      if (reported && sameLiveSettings(reported, next)) return false;
      try {
        await this.send(record, next);
        if (reported)
          this.d.log.info({ room: record.spec.id }, 'agent was back at other settings: told again');
        return true;
      } catch (err) {
        this.d.log.warn({ room: record.spec.id, err }, 'could not tell the agent its live settings');
        return false;
      }
    });
  }
}
