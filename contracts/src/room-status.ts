import { Type, type Static } from 'typebox';

/**
 * Where a room is in its life. `starting`: the runtime is up, the agent not yet healthy; `ready`:
 * the agent answers and streams; `stopping`: being removed (terminal); `failed`: the agent died or
 * never became healthy, kept for inspection until the reaper removes it.
 */
export const RoomStatus = Type.Union([
  Type.Literal('starting'),
  Type.Literal('ready'),
  Type.Literal('stopping'),
  Type.Literal('failed'),
]);
export type RoomStatus = Static<typeof RoomStatus>;

export const ROOM_STATUSES: readonly RoomStatus[] = ['starting', 'ready', 'stopping', 'failed'];
