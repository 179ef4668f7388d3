import { ERROR_STATUS, type ErrorCode } from '@boxroom/contracts';

/**
 * The one error type domain code throws. `message` is public (sent to the client); `cause` is
 * internal (logged, never sent).
 */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** The registry: every error the API returns is made here, so codes and wording stay consistent. */
export const errors = {
  badRequest: (message: string) => new AppError('bad_request', message),
  unauthorized: (message = 'missing or invalid bearer token') => new AppError('unauthorized', message),
  forbidden: (message = 'not allowed') => new AppError('forbidden', message),
  roomNotFound: (id: string) => new AppError('not_found', `room ${id} not found`),
  notFound: (message: string) => new AppError('not_found', message),
  conflict: (message: string) => new AppError('conflict', message),
  roomUnavailable: (id: string, cause?: unknown) =>
    new AppError('unavailable', `room ${id} is not available right now`, { cause }),
  /** no node of the cluster may take another room (swarm placement says why): 503 */
  noRoomCapacity: (message: string) => new AppError('unavailable', message),
  /** the room exists but cannot come back (its agent is gone or gave up): 410, close 4504 */
  roomFailed: (id: string) =>
    new AppError('gone', `room ${id} has failed: its desktop cannot come back; create a new room`),
  roomFull: (id: string, max: number) =>
    new AppError('room_full', `room ${id} is full (${max} people); try again when someone leaves`),
  alreadyRecording: (id: string) => new AppError('already_recording', `room ${id} is being recorded already`),
  notRecording: (id: string) => new AppError('not_recording', `room ${id} is not being recorded`),
  recordingNotFound: (id: string) => new AppError('not_found', `recording ${id} not found`),
  profileInUse: (name: string) =>
    new AppError('profile_in_use', `profile ${name} is in use by another room: delete that room first`),
  profileNotFound: (name: string) => new AppError('not_found', `profile ${name} not found`),
  /** a creator's limit (quotas/quota-service.ts says which) */
  quotaExceeded: (message: string) => new AppError('quota_exceeded', message),
  tooManyRequests: (message: string) => new AppError('too_many_requests', message),
  internal: (cause?: unknown) => new AppError('internal', 'internal error', { cause }),
} as const;

// The first code of a status is its generic one (409: conflict, not room_full).
const CODE_BY_STATUS = new Map<number, ErrorCode>();
for (const [code, status] of Object.entries(ERROR_STATUS)) {
  if (!CODE_BY_STATUS.has(status)) CODE_BY_STATUS.set(status, code as ErrorCode);
}

/** The error code for an HTTP status, for errors raised by fastify itself (404, 413, 415, ...). */
export function codeForStatus(status: number): ErrorCode {
  return CODE_BY_STATUS.get(status) ?? (status >= 500 ? 'internal' : 'bad_request');
}
