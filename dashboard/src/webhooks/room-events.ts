import type { ControlChange, ExpiryReason, WebhookEvent } from '@boxroom/contracts';

/** What `room.created` reports of a room (a RoomSpec has all of it; webhooks/ does not import rooms/). */
type CreatedRoom = Extract<WebhookEvent, { type: 'room.created' }>['data'] & {
  id: string;
  createdAt: number;
};

type Deleted = Extract<WebhookEvent, { type: 'room.deleted' }>;

/** One `room.deleted` per room whatever the cause: the id says the room went, `data.cause` why. */
const deleted = (room: string, at: number, data: Deleted['data']): Deleted => ({
  id: `${room}.deleted`,
  type: 'room.deleted',
  at,
  room,
  data,
});

/**
 * Webhook events, built in one place. Ids are derived from what happened (room, kind, lease seq),
 * not random: retries and several dashboard replicas send the same id, so receivers can deduplicate.
 */
export const roomEvents = {
  created: (spec: CreatedRoom): WebhookEvent => ({
    id: `${spec.id}.created`,
    type: 'room.created',
    at: spec.createdAt,
    room: spec.id,
    data: { name: spec.name, width: spec.width, height: spec.height, fps: spec.fps, app: spec.app },
  }),
  ready: (room: string, at: number): WebhookEvent => ({
    id: `${room}.ready`,
    type: 'room.ready',
    at,
    room,
    data: {},
  }),
  deletedByRequest: (room: string, at: number, by: string): WebhookEvent =>
    deleted(room, at, { cause: 'request', by }),
  expired: (room: string, at: number, reason: ExpiryReason): WebhookEvent =>
    deleted(room, at, { cause: 'expired', reason }),
  failed: (room: string, at: number, failedAt: number, failure: string | null): WebhookEvent =>
    deleted(room, at, { cause: 'failed', failedAt, failure }),
  control: (room: string, c: ControlChange): WebhookEvent => ({
    id: `${room}.control.${c.seq}`,
    type: 'control.changed',
    at: c.at,
    room,
    data: {
      seq: c.seq,
      reason: c.reason,
      by: c.by,
      holder: c.state.holder,
      queue: c.state.queue,
      locked: c.state.locked,
    },
  }),
};
