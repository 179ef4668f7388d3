import { Type, type Static } from 'typebox';
import { oneOf } from './one-of.js';

/** Longest any room timeout may be set to: 30 days. */
export const ROOM_TIMEOUT_MAX_S = 30 * 24 * 3600;

const timeoutS = (description: string) =>
  Type.Integer({ minimum: 0, maximum: ROOM_TIMEOUT_MAX_S, description: `${description}; 0: off` });

const maxAgeS = timeoutS('delete the room this long after it was created');
const noViewersS = timeoutS('delete the room after nobody watched it for this long');
const noInputS = timeoutS('delete the room after nobody sent input for this long');

/** When a room ends by itself. Every field in seconds, 0 = off. */
export const RoomTimeouts = Type.Object(
  {
    maxAgeS: Type.Optional(maxAgeS),
    noViewersS: Type.Optional(noViewersS),
    noInputS: Type.Optional(noInputS),
  },
  { additionalProperties: false },
);
export type RoomTimeouts = Static<typeof RoomTimeouts>;

/**
 * Timeouts with the defaults applied: what a room actually runs with. Spelled out rather than
 * `Type.Required(RoomTimeouts)`, whose machinery would follow these schemas into the web's bundle.
 */
export const ResolvedRoomTimeouts = Type.Object({ maxAgeS, noViewersS, noInputS });
export type ResolvedRoomTimeouts = Static<typeof ResolvedRoomTimeouts>;

/** Whether two sets of resolved timeouts are the same (absent: the room's created ones). */
export function sameTimeouts(
  a: ResolvedRoomTimeouts | undefined,
  b: ResolvedRoomTimeouts | undefined,
): boolean {
  if (!a || !b) return a === b;
  return a.maxAgeS === b.maxAgeS && a.noViewersS === b.noViewersS && a.noInputS === b.noInputS;
}

export const ExpiryReason = oneOf(['max-age', 'no-viewers', 'no-input']);
export type ExpiryReason = Static<typeof ExpiryReason>;

/** Set once a room's time is up; the dashboard then deletes it. */
export const RoomExpiry = Type.Object({
  reason: ExpiryReason,
  /** ms since epoch */
  at: Type.Integer(),
});
export type RoomExpiry = Static<typeof RoomExpiry>;

/**
 * How long before the end everyone is warned: a minute, or half the timeout when it is shorter than
 * two minutes (so a short timeout is not all warning).
 */
export function warningLeadMs(timeoutMs: number): number {
  return timeoutMs < 120_000 ? Math.floor(timeoutMs / 2) : 60_000;
}
