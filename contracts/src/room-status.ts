import { oneOf } from './one-of.js';

/**
 * Where a room is in its life. `starting`: the runtime is up, the agent not yet healthy; `ready`:
 * the agent answers and streams; `stopping`: being removed (terminal); `failed`: the agent died or
 * never became healthy, kept for inspection until the reaper removes it.
 */
export const ROOM_STATUSES = ['starting', 'ready', 'stopping', 'failed'] as const;
export type RoomStatus = (typeof ROOM_STATUSES)[number];
export const RoomStatus = oneOf(ROOM_STATUSES);

/**
 * Every status move a room may make, one table for every driver (they refuse and log any other).
 * Drawn from what the runtimes do: `starting` -> `ready` when the agent answers; any live status ->
 * `failed` when the agent dies or turns unhealthy; `failed` -> `ready` when its healthcheck recovers
 * and `failed` -> `starting` when its container starts again; `ready` -> `starting` when a restarted
 * dashboard re-adopts a local agent (it checks readiness afresh) or the engine restarts a container;
 * anything -> `stopping` on delete. Nothing leaves `stopping`: a room being removed never comes back.
 */
export const ROOM_STATUS_MOVES: Readonly<Record<RoomStatus, readonly RoomStatus[]>> = Object.freeze({
  starting: ['ready', 'failed', 'stopping'],
  ready: ['starting', 'failed', 'stopping'],
  failed: ['starting', 'ready', 'stopping'],
  stopping: [],
});

/** May a room go from `from` to `to`? Staying where it is is no move (false). */
export function canMoveRoomStatus(from: RoomStatus, to: RoomStatus): boolean {
  return ROOM_STATUS_MOVES[from].includes(to);
}
