import { Type, type Static } from 'typebox';
import { oneOf } from './one-of.js';
import { InviteRole } from './room-bodies.js';

/** Recordings of a room: copied from its live stream into fMP4 HLS, kept after the room ends. */

// The policies are in their own module: room-bodies.ts (CreateRoomBody) imports them, and this one imports it.
export * from './recording-policy.js';

/**
 * `recording`: the playlist grows (HLS EVENT); `complete`: stopped as asked or with the room;
 * `partial`: stopped by a fault (full disk, byte cap): what was written plays; `failed`: nothing playable.
 */
export const RECORDING_STATES = ['recording', 'complete', 'partial', 'failed'] as const;
export type RecordingState = (typeof RECORDING_STATES)[number];
export const RecordingState = oneOf(RECORDING_STATES);

export const RecordingLinks = Type.Object({
  play: Type.String({
    description:
      'the HLS playlist; works as given (signed, short-lived), also in players that carry no cookie',
  }),
  download: Type.String({
    description: 'one MP4, remuxed from the segments (Range supported); signed like play',
  }),
});
export type RecordingLinks = Static<typeof RecordingLinks>;

export const Recording = Type.Object({
  id: Type.String(),
  roomId: Type.String(),
  roomName: Type.String(),
  state: RecordingState,
  startedAt: Type.String({ format: 'date-time' }),
  endedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** media seconds recorded so far */
  durationS: Type.Number({ minimum: 0 }),
  bytes: Type.Integer({ minimum: 0 }),
  links: RecordingLinks,
});
export type Recording = Static<typeof Recording>;

/** GET /api/recordings?room=:id, newest first. */
export const RecordingList = Type.Object({ recordings: Type.Array(Recording) });
export type RecordingList = Static<typeof RecordingList>;

/** POST /api/rooms/:id/recording/start and /stop (200). */
export const RecordingResult = Type.Object({ recording: Recording });
export type RecordingResult = Static<typeof RecordingResult>;

/** The kinds of entry on a recording's timeline. */
export const RECORDING_EVENT_TYPES = [
  'recording.start',
  'recording.stop',
  /** the stream restarted or changed parameters: a new init segment follows */
  'discontinuity',
  'control',
  'join',
  'leave',
  'warning',
] as const;
export type RecordingEventType = (typeof RECORDING_EVENT_TYPES)[number];

/**
 * One entry of GET /api/recordings/:rid/events: `t` in media seconds from the recording's start,
 * plus what happened (control: `holder` {id, name} or null and `reason`; join/leave: `participant`
 * {id, name}; warning: `reason`, `message`).
 */
export const RecordingTimelineEntry = Type.Object(
  {
    t: Type.Number({ minimum: 0 }),
    type: oneOf(RECORDING_EVENT_TYPES),
  },
  { additionalProperties: true },
);
export type RecordingTimelineEntry = Static<typeof RecordingTimelineEntry> & Record<string, unknown>;

export const RecordingTimeline = Type.Array(RecordingTimelineEntry);

/**
 * POST /api/rooms/:id/join after the room ended, with an invite that was valid for it: 200 with a
 * token for that room's recordings only (the room's one link keeps working: it then lists them).
 * A live room answers JoinResult; a page tells the two apart by `ended`.
 */
export const EndedRoomJoinResult = Type.Object({
  ended: Type.Literal(true),
  token: Type.String({ description: "bearer for the room's recordings only" }),
  role: InviteRole,
  expiresAt: Type.String({ format: 'date-time' }),
  room: Type.Object({ id: Type.String(), name: Type.String() }),
});
export type EndedRoomJoinResult = Static<typeof EndedRoomJoinResult>;

/**
 * POST /recording on a room agent (the dashboard's own token only): the recording running now, or
 * null. The agent announces each change as the session event `recording` and tells late joiners in
 * hello; re-sending the same value changes nothing (the dashboard re-sends after an agent restart).
 */
export const AgentRecordingBody = Type.Object(
  { recordingId: Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()]) },
  { additionalProperties: false },
);
export type AgentRecordingBody = Static<typeof AgentRecordingBody>;
