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
      /** room timeouts already announced and still running (a client that (re)connects late sees them) */
      warnings?: Array<{ reason: string; at: number }>;
    }
  | { type: 'presence/join'; seq: number; participant: Presence }
  | { type: 'presence/leave'; seq: number; participantId: string }
  | { type: 'control'; seq: number; control: ControlState; reason: ControlChangeReason; by: string | null }
  | { type: 'health'; seq: number; process: string; status: ProcessStatus }
  /**
   * Every process of the desktop was ended and the window manager and app start afresh (POST
   * /desktop/reset); `by` is the participant id of whoever asked (the dashboard's own id for its calls).
   */
  | { type: 'desktop/reset'; seq: number; by: string; at: number }
  | {
      type: 'warning';
      seq: number;
      /** for room timeouts: an ExpiryReason ('max-age' | 'no-viewers' | 'no-input') */
      reason: string;
      /** ms since epoch when it happens (or happened) */
      at: number;
      message: string;
      /**
       * absent or 'warning': it will happen at `at`; 'cleared': activity resumed, it will not;
       * 'expired': the time is up and the room is being deleted.
       */
      stage?: 'warning' | 'cleared' | 'expired';
    }
  | { type: 'pong'; seq: number; t: number };

/** Client -> server messages on WS /session. */
export type SessionClientMessage = { type: 'ping'; t: number };
