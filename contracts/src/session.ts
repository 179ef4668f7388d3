import type { ControlChangeReason, ControlState, ParticipantRef } from './control.js';
import type { ProcessStatus } from './health.js';

/** One person connected to the room's session channel. */
export interface Presence extends ParticipantRef {
  joinedAt: number;
}

/**
 * Server -> client events on WS /session. Every event carries the room's session sequence number;
 * a client that (re)connects first gets `hello` with the full current state.
 */
export type SessionEvent =
  | {
      type: 'hello';
      seq: number;
      you: ParticipantRef;
      participants: Presence[];
      control: ControlState;
      room: { id: string; width: number; height: number; fps: number };
    }
  | { type: 'presence/join'; seq: number; participant: Presence }
  | { type: 'presence/leave'; seq: number; participantId: string }
  | { type: 'control'; seq: number; control: ControlState; reason: ControlChangeReason; by: string | null }
  | { type: 'health'; seq: number; process: string; status: ProcessStatus }
  | { type: 'warning'; seq: number; reason: string; at: number; message: string }
  | { type: 'pong'; seq: number; t: number };

/** Client -> server messages on WS /session. */
export type SessionClientMessage = { type: 'ping'; t: number };
