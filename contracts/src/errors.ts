import { Type } from 'typebox';

/** Error codes of the public API: `{error: {code, message}}` with the given HTTP status. */
export const ERROR_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  /** a file over BOXROOM_FILE_MAX_BYTES, or more than the room's file space has left */
  too_large: 413,
  /** a download's Range starts past the end of the file */
  range_not_satisfiable: 416,
  /** the room holds BOXROOM_MAX_PARTICIPANTS people already */
  room_full: 409,
  /** POST /api/rooms/:id/recording/start while the room is being recorded */
  already_recording: 409,
  /** POST /api/rooms/:id/recording/stop while it is not */
  not_recording: 409,
  /** a create naming a profile another room has mounted, or a DELETE of a profile in use */
  profile_in_use: 409,
  /** a creator's limit (rooms at once, room-hours, recording bytes) is reached */
  quota_exceeded: 409,
  gone: 410,
  too_many_requests: 429,
  internal: 500,
  unavailable: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

/** Every error answer of the dashboard and the room agent. */
export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String({ description: 'stable machine-readable code, see contracts/src/errors.ts' }),
    message: Type.String(),
  }),
});
/** What the servers send: `code` is one of ERROR_STATUS's (the schema says string, for older clients' sake). */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/** WebSocket close codes used by the room agent and the dashboard proxy (4000-4999 are ours). */
export const WS_CLOSE = {
  /** normal end of a session initiated by the server (room deleted, agent stopping) */
  goingAway: 1001,
  /** no token, bad signature, expired, wrong room */
  unauthorized: 4401,
  /** valid token but the role or the control lease does not allow this endpoint */
  forbidden: 4403,
  /** unknown room */
  notFound: 4404,
  /** the viewer fell too far behind the live stream and was dropped */
  tooSlow: 4408,
  /** control passed to someone else: the input socket of the old holder is closed */
  controlRevoked: 4409,
  /** the token's `exp` passed while the socket was open (renew before it: see docs/protocol.md) */
  tokenExpired: 4410,
  /** the invite of the token's role was revoked after the token was issued */
  inviteRevoked: 4411,
  /** an owner or operator removed the participant from the room */
  kicked: 4412,
  /** one principal opened more sockets than BOXROOM_MAX_SOCKETS_PER_PRINCIPAL; close one first */
  tooManySockets: 4429,
  /** the room's desktop or stream is not available right now; reconnect with backoff */
  unavailable: 4503,
  /** the room failed for good (its desktop cannot come back): do not reconnect */
  roomFailed: 4504,
} as const;
