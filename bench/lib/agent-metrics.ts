import type { AgentMetrics } from '@boxroom/contracts';
import { TokenService } from '../../dashboard/src/auth/token-service.js';
import { loadSecrets } from '../../dashboard/src/secrets/secret-store.js';
import type { DashboardProcess } from '../../test/support/dashboard-process.js';

/** Who the bench is to an agent: an operator-role agent-call token, like the dashboard's metrics scraper. */
const BENCH = { sub: 'boxroom-bench', name: 'bench', role: 'operator' } as const;

/**
 * A room agent's GET /metrics, asked as the dashboard `dash` asks it: with a short agent-audience token
 * signed by the key in its data dir (the agent accepts no other token for /metrics).
 */
export async function agentMetrics(
  dash: DashboardProcess,
  roomId: string,
  agentUrl: string,
): Promise<AgentMetrics> {
  const keys = await loadSecrets(dash.dataDir, dash.adminToken);
  const tokens = await TokenService.fromPem(keys.privateKeyPem, keys.publicKeyPem, 60);
  const token = await tokens.issueForAgent({ ...BENCH, room: roomId });
  const res = await fetch(`${agentUrl}/metrics`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(5000),
  });
  if (!res.ok) throw new Error(`agent GET /metrics: ${res.status} ${await res.text()}`);
  return (await res.json()) as AgentMetrics;
}
