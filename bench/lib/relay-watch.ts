import type { DashboardProcess } from '../../test/support/dashboard-process.js';
import { sleep } from '../../test/support/processes.js';
import type { AgentMetrics } from '@boxroom/contracts';
import { agentMetrics } from './agent-metrics.js';

/** A replica's relay gauges on its /metrics (null: not there, a dashboard without the relay). */
export interface ReplicaRelay {
  upstreams: number | null;
  viewers: number | null;
}

/** What a RelayWatch saw: the most at any one reading. */
export interface RelaySeen {
  /** the agent's stream readers (relayed ones included) and relay upstreams */
  viewers: number | null;
  relayUpstreams: number | null;
  /**
   * WebSockets the agent streams to: its relay upstreams plus the viewers no replica relays (its
   * viewers minus both replicas' relayed viewers, read together)
   */
  agentStreams: number | null;
  /** per replica (A, B), the last reading */
  replicas: [ReplicaRelay, ReplicaRelay];
}

const maxOf = (a: number | null, b: number | undefined | null) =>
  b === undefined || b === null ? a : Math.max(a ?? 0, b);

/** `boxroom_relay_upstreams` and `boxroom_relay_viewers` from a dashboard's /metrics. */
async function replicaRelay(dash: DashboardProcess): Promise<ReplicaRelay> {
  const res = await fetch(`${dash.url}/metrics`, {
    headers: { authorization: `Bearer ${dash.adminToken}` },
    signal: AbortSignal.timeout(5000),
  });
  const text = await res.text();
  const gauge = (name: string) => {
    const m = new RegExp(`^${name} (\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  };
  return { upstreams: gauge('boxroom_relay_upstreams'), viewers: gauge('boxroom_relay_viewers') };
}

/**
 * Reads the room agent's GET /metrics and both replicas' relay gauges every 2 s until stopped: how
 * many streams the agent itself serves, which is what the relay is to keep at one per replica.
 */
export class RelayWatch {
  readonly seen: RelaySeen = {
    viewers: null,
    relayUpstreams: null,
    agentStreams: null,
    replicas: [
      { upstreams: null, viewers: null },
      { upstreams: null, viewers: null },
    ],
  };
  private running = true;
  private readonly done: Promise<void>;

  constructor(
    replicas: [DashboardProcess, DashboardProcess],
    roomId: string,
    agentUrl: string,
    log: (line: string) => void,
    /** readers the bench itself keeps on the agent directly, left out of agentStreams */
    private readonly ownDirect = 0,
  ) {
    this.done = (async () => {
      while (this.running) {
        const [m, a, b] = await Promise.allSettled([
          agentMetrics(replicas[0], roomId, agentUrl),
          replicaRelay(replicas[0]),
          replicaRelay(replicas[1]),
        ]);
        const failed = (['the agent', 'replica A', 'replica B'] as const).flatMap((who, i) => {
          const r = [m, a, b][i]!;
          return r.status === 'rejected' ? [`${who}: ${(r.reason as Error).message}`] : [];
        });
        if (m.status === 'fulfilled' && a.status === 'fulfilled' && b.status === 'fulfilled')
          this.note(m.value, a.value, b.value);
        else log(`relay: metrics not read: ${failed.join('; ')}`);
        await sleep(2000);
      }
    })();
  }

  /** One reading of all three at (nearly) the same moment. */
  private note(m: AgentMetrics, a: ReplicaRelay, b: ReplicaRelay): void {
    const s = this.seen;
    s.viewers = maxOf(s.viewers, m.viewers);
    s.relayUpstreams = maxOf(s.relayUpstreams, m.relayUpstreams);
    const direct = Math.max(0, m.viewers - (a.viewers ?? 0) - (b.viewers ?? 0) - this.ownDirect);
    s.agentStreams = maxOf(s.agentStreams, (m.relayUpstreams ?? 0) + direct);
    s.replicas = [a, b];
  }

  async stop(): Promise<RelaySeen> {
    this.running = false;
    await this.done;
    return this.seen;
  }
}
