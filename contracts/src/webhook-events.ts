import type { ControlChangeReason, ControlState, ParticipantRef } from './control.js';
import type { ExpiryReason } from './lifecycle.js';

/** Header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (see docs/webhooks.md). */
export const WEBHOOK_SIGNATURE_HEADER = 'x-boxroom-signature';

interface WebhookBase {
  /** unique per event and stable across retries and dashboard replicas: deduplicate on it */
  id: string;
  /** ms since epoch when it happened */
  at: number;
  room: string;
}

/** The JSON body of a webhook POST. */
export type WebhookEvent =
  | (WebhookBase & {
      type: 'room.created';
      data: { name: string; width: number; height: number; fps: number; app: string };
    })
  | (WebhookBase & { type: 'room.ready'; data: Record<string, never> })
  | (WebhookBase & {
      type: 'room.deleted';
      data:
        | { cause: 'request'; by: string }
        | { cause: 'expired'; reason: ExpiryReason }
        /**
         * the room failed (its desktop could not come back) and stayed failed for the grace period;
         * `failure`: why, as the Room answer's `failure` said (null: the runtime did not say)
         */
        | { cause: 'failed'; failedAt: number; failure?: string | null };
    })
  | (WebhookBase & {
      type: 'control.changed';
      data: {
        seq: number;
        reason: ControlChangeReason;
        by: string | null;
        holder: ParticipantRef | null;
        queue: ControlState['queue'];
        locked: boolean;
      };
    })
  | (WebhookBase & {
      type: 'recording.started';
      data: { recordingId: string; by: string };
    })
  | (WebhookBase & {
      type: 'recording.finished';
      data: {
        recordingId: string;
        /** complete: stopped as asked or with the room; partial: a fault stopped it (reason says which) */
        state: 'complete' | 'partial' | 'failed';
        reason: string;
        durationS: number;
        bytes: number;
      };
    });
export type WebhookEventType = WebhookEvent['type'];
