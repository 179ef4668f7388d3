import { AGENT_PROTOCOL_VERSION, agentProtocolCompatible } from '@boxroom/contracts';
import type { Logger } from '../logger.js';
import type { RoomRecord } from './room-driver.js';

/** What the dashboard knows of a room agent's protocol; null: it could not be asked (yet). */
export interface AgentProtocol {
  /** the agent's AGENT_PROTOCOL_VERSION; null for an agent built before versions existed */
  version: number | null;
  compatible: boolean;
}

/** A /healthz that has not answered within this is asked again next time (the room goes on). */
const ASK_TIMEOUT_MS = 2_000;

type Fetch = (url: string, init: { signal: AbortSignal }) => Promise<Response>;

/**
 * The protocol version of each room's agent, from its GET /healthz (no token needed). Asked once per
 * agent address: an agent's version does not change while it runs, and a room restarted elsewhere
 * has a new address. After an upgrade, a restarted dashboard finds rooms started by the old build:
 * those of another version are listed with `compatible: false` and never driven (see RoomManager).
 */
export class AgentProtocols {
  private readonly known_ = new Map<string, { agentUrl: string; protocol: AgentProtocol }>();

  constructor(
    private readonly log: Logger,
    private readonly fetchFn: Fetch = (url, init) => fetch(url, init),
  ) {}

  /** The room's agent protocol, or null when its agent cannot be asked right now. */
  async of(record: RoomRecord): Promise<AgentProtocol | null> {
    const { id } = record.spec;
    const url = record.agentUrl;
    if (!url) return null;
    const cached = this.known_.get(id);
    if (cached?.agentUrl === url) return cached.protocol;
    const version = await this.ask(url);
    if (version === undefined) return null;
    const protocol = { version, compatible: agentProtocolCompatible(version) };
    this.known_.set(id, { agentUrl: url, protocol });
    if (!protocol.compatible)
      this.log.warn(
        { room: id, agentProtocol: version, protocol: AGENT_PROTOCOL_VERSION },
        'room agent speaks another protocol: listed, not driven (recreate the room to use it)',
      );
    return protocol;
  }

  /** What is known already, without asking (undefined: not asked yet at this address). */
  known(record: RoomRecord): AgentProtocol | undefined {
    const cached = this.known_.get(record.spec.id);
    return cached && cached.agentUrl === record.agentUrl ? cached.protocol : undefined;
  }

  forget(id: string): void {
    this.known_.delete(id);
  }

  /** The version in the agent's /healthz body (null: none there), or undefined when it did not answer. */
  private async ask(agentUrl: string): Promise<number | null | undefined> {
    try {
      // 503 (not ready) carries the same body
      const res = await this.fetchFn(`${agentUrl}/healthz`, { signal: AbortSignal.timeout(ASK_TIMEOUT_MS) });
      const body = (await res.json()) as { protocol?: unknown } | null;
      return typeof body?.protocol === 'number' ? body.protocol : null;
    } catch {
      return undefined;
    }
  }
}
