import type { RoomRecord, RoomStatus } from '../../rooms/room-driver.js';
import { fromLabels } from '../docker/labels.js';
import { failureText, withFailure } from '../room-failure.js';
import { agentUrlOf } from './service-spec.js';

/** The fields of a swarm task that the driver reads (GET /tasks). */
export interface SwarmTaskInfo {
  ID: string;
  ServiceID: string;
  NodeID?: string;
  DesiredState?: string;
  CreatedAt?: string;
  Version?: { Index?: number };
  Status?: { State?: string; Err?: string; Message?: string };
}

/** The fields of a swarm service that the driver reads (GET /services). */
export interface SwarmServiceInfo {
  ID: string;
  Spec?: { Name?: string; Labels?: Record<string, string> };
}

const STARTING = new Set([
  'new',
  'allocated',
  'pending',
  'assigned',
  'accepted',
  'ready',
  'preparing',
  'starting',
]);

/**
 * A room's status from its task's state. Swarm moves a task with a healthcheck to `running` only once
 * the container is healthy, so running is ready; before that, the agent's own word (the driver's
 * readiness watch) makes it ready early, as on the docker driver. Every end state is a failure: the
 * task is never restarted, and our own delete says `stopping` before the swarm is asked.
 */
export function statusFromTaskState(state: string | undefined, agentSaidReady = false): RoomStatus {
  if (state === undefined || STARTING.has(state))
    return agentSaidReady && state === 'starting' ? 'ready' : 'starting';
  if (state === 'running') return 'ready';
  return 'failed'; // complete, shutdown, failed, rejected, orphaned, remove
}

/** Why a task ended: its state and the engine's error (else its message); null while it has not. */
export function taskFailure(task: SwarmTaskInfo | undefined): string | null {
  const state = task?.Status?.State;
  if (!task || state === undefined || STARTING.has(state) || state === 'running') return null;
  const detail = task.Status?.Err || task.Status?.Message;
  return failureText(detail ? `task ${state}: ${detail}` : `task ${state}`);
}

/** What fails every room of a node that is down (the manager hears nothing more from its tasks). */
export function nodeDownFailure(hostname: string): string {
  return `node ${hostname} is down`;
}

/** The task that is the room now: the newest (a service with restart none has one, but a scale or update may add one). */
export function currentTask(tasks: readonly SwarmTaskInfo[]): SwarmTaskInfo | undefined {
  return [...tasks].sort((a, b) => (b.Version?.Index ?? 0) - (a.Version?.Index ?? 0))[0];
}

export interface RecordContext {
  instance: string;
  agentSaidReady: (roomId: string) => boolean;
  /** hostnames of nodes that are down, by node id: their rooms are failed whatever the task says */
  downNodes: ReadonlyMap<string, string>;
}

/** A room from its service (labels: the spec) and its tasks; null when the labels are not a room. */
export function recordFromService(
  service: SwarmServiceInfo,
  tasks: readonly SwarmTaskInfo[],
  ctx: RecordContext,
): RoomRecord | null {
  const spec = fromLabels(service.Spec?.Labels ?? {});
  if (!spec) return null;
  const task = currentTask(tasks);
  const state = task?.Status?.State;
  const downHost = task?.NodeID === undefined ? undefined : ctx.downNodes.get(task.NodeID);
  const nodeDown = downHost !== undefined;
  const status: RoomStatus = nodeDown ? 'failed' : statusFromTaskState(state, ctx.agentSaidReady(spec.id));
  // the name resolves once the task is attached to the overlay, which is before it starts
  const reachable = !nodeDown && (state === 'starting' || state === 'running');
  const record = { spec, status, agentUrl: reachable ? agentUrlOf(ctx.instance, spec.id) : null };
  return withFailure(record, nodeDown ? nodeDownFailure(downHost) : taskFailure(task));
}
