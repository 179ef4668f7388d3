import { oneOf } from './one-of.js';

/** A room's recording policy, chosen at create (CreateRoomBody). */

/** `off`: never; `manual`: owners and operators start and stop; `always`: from ready until the end. */
export const RECORD_POLICIES = ['off', 'manual', 'always'] as const;
export type RecordPolicy = (typeof RECORD_POLICIES)[number];
export const RecordPolicy = oneOf(RECORD_POLICIES);

/** Who may watch a room's recordings: the lowest role that may (owners and operators always may). */
export const RECORDINGS_VISIBILITY = ['owners', 'participants', 'viewers'] as const;
export type RecordingsVisibleTo = (typeof RECORDINGS_VISIBILITY)[number];
export const RecordingsVisibleTo = oneOf(RECORDINGS_VISIBILITY);
