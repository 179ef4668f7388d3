import type { RecordingsVisibleTo, Role } from '@boxroom/contracts';
import { can } from '../auth/abilities.js';
import type { Principal } from '../auth/principal.js';
import { errors } from '../errors.js';
import type { RecordingEntry } from '../store/recording-entry.js';

/** The roles each visibility lets watch (owners and operators always may). */
const WATCHERS: Record<RecordingsVisibleTo, readonly Role[]> = {
  owners: ['owner', 'operator'],
  participants: ['owner', 'operator', 'participant'],
  viewers: ['owner', 'operator', 'participant', 'viewer'],
};

const roomOf = (e: RecordingEntry) => ({ id: e.roomId, ownerId: e.ownerId });

/**
 * May `p` watch this recording? The admin credential always; an account the recordings of rooms it
 * owned; a room token its own room's, when its role is among those the room's owners chose.
 */
export function canWatch(p: Principal, e: RecordingEntry): boolean {
  if (p.room === null) return can(p, 'record', roomOf(e));
  return p.room === e.roomId && WATCHERS[e.visibleTo].includes(p.role);
}

/** Owners and operators (of the room, or spanning it) delete, start and stop. */
export function canManage(p: Principal, e: RecordingEntry): boolean {
  return can(p, 'record', roomOf(e));
}

/** not_found for a recording `p` may not see (its existence is not disclosed), forbidden to manage. */
export function requireWatch(p: Principal | null, e: RecordingEntry | null, id: string): RecordingEntry {
  if (!p) throw errors.unauthorized();
  if (!e || !canWatch(p, e)) throw errors.recordingNotFound(id);
  return e;
}

export function requireManage(p: Principal | null, e: RecordingEntry | null, id: string): RecordingEntry {
  const entry = requireWatch(p, e, id);
  if (!canManage(p!, entry)) throw errors.forbidden(`a ${p!.role} may not delete recordings`);
  return entry;
}
