import { Type, type Static } from 'typebox';
import { ControlChange, ControlState } from './control.js';
import { RoomExpiry } from './lifecycle.js';
import { AgentLiveSettings } from './room-settings.js';
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
  /**
   * the live settings the agent applies now: a restarted agent is back at its create-time ones, and
   * the dashboard's sweeps compare them with what it stored (absent from agents of earlier builds)
   */
  settings: Type.Optional(AgentLiveSettings),
});
export type AgentState = Static<typeof AgentState>;
