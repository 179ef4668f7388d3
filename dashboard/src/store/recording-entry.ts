import type { InviteRole, RecordingState, RecordingsVisibleTo } from '@boxroom/contracts';

/**
 * One stretch of a recording written by one ffmpeg (recording-part.ts). A new part starts when the
 * stream's parameters change, when the recorder restarts (it died, the dashboard restarted) or the
 * stream's timeline restarts; the playlist marks each boundary with a discontinuity and the part's
 * own init segment.
 */
export interface RecordingPart {
  /** 0, 1, ...: the part's directory is `p<n>` */
  n: number;
  /** media seconds at which the part starts in the recording (the parts before it, end to end) */
  offsetS: number;
  /** ms since epoch at which the part's first frame was captured (as near as the stream tells) */
  wallStartMs: number;
}

/** The recordings index, one entry per recording, in the state store (file or PostgreSQL). */
export interface RecordingEntry {
  id: string;
  roomId: string;
  roomName: string;
  /** the room's owner (Principal.id) when the recording started: they may watch and delete it */
  ownerId: string | null;
  visibleTo: RecordingsVisibleTo;
  state: RecordingState;
  /** ms since epoch */
  startedAt: number;
  endedAt: number | null;
  /** why it ended (`stopped`, `room-ended`, `byte-cap`, `disk-full`, ...) */
  endReason: string | null;
  startedBy: string;
  durationS: number;
  bytes: number;
  parts: RecordingPart[];
  /**
   * the room's invite generations, kept once the room ended (its own are forgotten with it): an
   * invite that was valid for the room still opens its recordings. null while the room lives.
   */
  roomInvites: Partial<Record<InviteRole, number>> | null;
  /** a replica that does not run the recorder was asked to stop it: the reason, for the one that does */
  stopRequested?: string;
}

/**
 * The entry a write leaves in the index. Two fields are written by replicas that do not run the
 * recorder, while the one that does saves its own copy every few seconds: a stop asked through
 * another replica (`stopRequested`) sticks once set, and the invites kept when the room ended
 * (`roomInvites`) are never replaced by null. Pure.
 */
export function mergeRecordingWrite(stored: RecordingEntry, next: RecordingEntry): RecordingEntry {
  const merged: RecordingEntry = { ...next, roomInvites: next.roomInvites ?? stored.roomInvites };
  const stopRequested = next.stopRequested ?? stored.stopRequested;
  if (stopRequested !== undefined) merged.stopRequested = stopRequested;
  return merged;
}
