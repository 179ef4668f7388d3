import { Type, type Static } from 'typebox';
import { ControlChange, ControlState } from './control.js';
import { RoomExpiry } from './lifecycle.js';
import { Presence } from './session.js';

/**
 * GET /state of a room agent: presence, the lease, viewers and whether the room expired, for the
 * dashboard. `?since=<seq>` limits `controlChanges` to those after that lease seq.
 */
export const AgentState = Type.Object({
  control: ControlState,
  participants: Type.Array(Presence),
  viewers: Type.Integer({ minimum: 0 }),
  /** set once one of the room's timeouts ran out */
  expired: Type.Union([RoomExpiry, Type.Null()]),
  /** recent lease changes, oldest first (after `since` when asked with it) */
  controlChanges: Type.Array(ControlChange),
});
export type AgentState = Static<typeof AgentState>;
