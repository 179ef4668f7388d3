import type { ContainerInfo } from 'dockerode';
import type { RoomRecord, RoomStatus } from '../../rooms/room-driver.js';
import { withFailure } from '../room-failure.js';
import { failureFromSummary } from './container-failure.js';
import { fromLabels } from './labels.js';
import { AGENT_PORT, type ResolvedOptions } from './options.js';

/**
 * Room status from a container list entry. The list API carries health only inside its `Status`
 * text ("Up 5 seconds (healthy)", "(health: starting)", "(unhealthy)"), a format stable since
 * Engine 1.12; reading it saves one inspect call per room on every list. `agentSaidReady`: the
 * driver saw the agent's /healthz ok before the engine's first healthcheck did (up to its 1 s
 * interval later), so a running room still "(health: starting)" is ready already.
 */
export function statusFromSummary(state: string, statusText: string, agentSaidReady = false): RoomStatus {
  switch (state) {
    case 'running':
      if (statusText.includes('(unhealthy)')) return 'failed';
      if (statusText.includes('(health: starting)')) return agentSaidReady ? 'ready' : 'starting';
      return 'ready';
    case 'created':
    case 'restarting':
      return 'starting';
    case 'removing':
      return 'stopping';
    default: // exited, dead, paused
      return 'failed';
  }
}

/** Where the dashboard reaches the agent, or null while the engine has not assigned it. */
function agentUrlFromSummary(c: ContainerInfo, o: ResolvedOptions): string | null {
  if (o.agentAddress === 'container') {
    const ip = c.NetworkSettings?.Networks?.[o.network]?.IPAddress;
    return ip ? `http://${ip}:${AGENT_PORT}` : null;
  }
  // An engine with IPv6 lists each binding twice (0.0.0.0 and ::); we bind one address only.
  const binding = c.Ports?.find((p) => p.PrivatePort === AGENT_PORT && p.Type === 'tcp' && p.PublicPort);
  if (!binding) return null;
  const host = o.publishHost === '0.0.0.0' ? '127.0.0.1' : o.publishHost;
  return `http://${host}:${binding.PublicPort}`;
}

export function recordFromSummary(
  c: ContainerInfo,
  o: ResolvedOptions,
  agentSaidReady: (roomId: string) => boolean = () => false,
): RoomRecord | null {
  const spec = fromLabels(c.Labels ?? {});
  if (!spec) return null;
  const running = c.State === 'running';
  const agentUrl = running ? agentUrlFromSummary(c, o) : null;
  const status = statusFromSummary(c.State, c.Status, agentUrl !== null && agentSaidReady(spec.id));
  return withFailure({ spec, status, agentUrl }, failureFromSummary(c.State, c.Status));
}

/**
 * Room status implied by one engine event (`Action`), or null for events that change nothing;
 * `removing`: the room is being deleted by us. `stopping` is terminal (contracts' ROOM_STATUS_MOVES), so only our own delete (or the container's
 * removal) says it: a `kill` from anyone else may be a restart or just a signal, and the `die` that
 * follows if the container stops is a failure, from which a `start` brings the room back.
 */
export function statusFromEvent(action: string, removing: boolean): RoomStatus | null {
  switch (action) {
    case 'create':
    case 'start':
      return 'starting';
    // a container being stopped soon fails its healthcheck: that says nothing about the room
    case 'health_status: healthy':
      return removing ? null : 'ready';
    case 'health_status: unhealthy':
      return removing ? null : 'failed';
    case 'destroy':
      return 'stopping';
    case 'kill': // our delete sent the stop signal
      return removing ? 'stopping' : null;
    case 'die':
      return removing ? 'stopping' : 'failed';
    default:
      return null;
  }
}
