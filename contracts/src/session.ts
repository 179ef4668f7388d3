import { Type, type Static } from 'typebox';
import {
  ClipboardEvent,
  ClipboardPasteMessage,
  ClipboardPastedEvent,
  ClipboardRefusedEvent,
} from './clipboard.js';
import { LatencyReportMessage } from './agent-metrics.js';
import { ControlChangeReason, ControlState, ParticipantRef } from './control.js';
import { ProcessStatus } from './health.js';
import { RoomSettings } from './room-settings.js';

/** One person connected to the room's session channel. */
export const Presence = Type.Object({
  ...ParticipantRef.properties,
  joinedAt: Type.Integer({ description: 'ms since epoch' }),
});
export type Presence = Static<typeof Presence>;

const seq = Type.Integer({ minimum: 0, description: "the room's session sequence number" });

/** A room timeout announced and still running. */
export const SessionWarningNotice = Type.Object({ reason: Type.String(), at: Type.Integer() });

export const HelloEvent = Type.Object({
  type: Type.Literal('hello'),
  seq,
  you: ParticipantRef,
  participants: Type.Array(Presence),
  control: ControlState,
  room: Type.Object({
    id: Type.String(),
    width: Type.Integer(),
    height: Type.Integer(),
    fps: Type.Integer(),
  }),
  /** room timeouts already announced and still running (a client that (re)connects late sees them) */
  warnings: Type.Optional(Type.Array(SessionWarningNotice)),
  /** the recording running now, if any (a client that joins late sees the REC indicator at once) */
  recording: Type.Optional(Type.Union([Type.Object({ recordingId: Type.String() }), Type.Null()])),
  /** the room's live settings */
  settings: Type.Optional(RoomSettings),
});

export const PresenceJoinEvent = Type.Object({
  type: Type.Literal('presence/join'),
  seq,
  participant: Presence,
});

export const PresenceLeaveEvent = Type.Object({
  type: Type.Literal('presence/leave'),
  seq,
  participantId: Type.String(),
});

export const ControlEvent = Type.Object({
  type: Type.Literal('control'),
  seq,
  control: ControlState,
  reason: ControlChangeReason,
  by: Type.Union([Type.String(), Type.Null()]),
});

export const HealthEvent = Type.Object({
  type: Type.Literal('health'),
  seq,
  process: Type.String(),
  status: ProcessStatus,
});

/**
 * Every process of the desktop was ended and the window manager and app start afresh (POST
 * /desktop/reset); `by` is the participant id of whoever asked (the dashboard's own id for its calls).
 */
export const DesktopResetEvent = Type.Object({
  type: Type.Literal('desktop/reset'),
  seq,
  by: Type.String(),
  at: Type.Integer(),
});

export const WarningEvent = Type.Object({
  type: Type.Literal('warning'),
  seq,
  /** for room timeouts: an ExpiryReason ('max-age' | 'no-viewers' | 'no-input') */
  reason: Type.String(),
  /** ms since epoch when it happens (or happened) */
  at: Type.Integer(),
  message: Type.String(),
  /**
   * absent or 'warning': it will happen at `at`; 'cleared': activity resumed, it will not;
   * 'expired': the time is up and the room is being deleted.
   */
  stage: Type.Optional(
    Type.Union([Type.Literal('warning'), Type.Literal('cleared'), Type.Literal('expired')]),
  ),
});

/**
 * A recording of the room started or stopped (everyone in the room is told: nobody is recorded
 * without seeing it). The dashboard records; the agent announces what the dashboard tells it.
 */
export const RecordingEvent = Type.Object({
  type: Type.Literal('recording'),
  seq,
  state: Type.Union([Type.Literal('started'), Type.Literal('stopped')]),
  recordingId: Type.String(),
});

/** The room's size or live settings changed (PATCH /api/rooms/:id): overlays and panels follow. */
export const SettingsEvent = Type.Object({
  type: Type.Literal('settings'),
  seq,
  room: Type.Object({ width: Type.Integer(), height: Type.Integer() }),
  settings: RoomSettings,
});

export const PongEvent = Type.Object({ type: Type.Literal('pong'), seq, t: Type.Number() });

/**
 * Answer to `renew` (to that socket only): every open socket of the participant (session, stream,
 * input) now lives until `exp` (s since epoch), the new token's expiry.
 */
export const RenewedEvent = Type.Object({ type: Type.Literal('renewed'), seq, exp: Type.Integer() });

/**
 * Server -> client events on WS /session. Every event carries the room's session sequence number;
 * a client that (re)connects first gets `hello` with the full current state.
 */
export const SessionEvent = Type.Union([
  HelloEvent,
  PresenceJoinEvent,
  PresenceLeaveEvent,
  ControlEvent,
  HealthEvent,
  DesktopResetEvent,
  WarningEvent,
  RecordingEvent,
  SettingsEvent,
  PongEvent,
  RenewedEvent,
  ClipboardEvent,
  ClipboardPastedEvent,
  ClipboardRefusedEvent,
]);
export type SessionEvent = Static<typeof SessionEvent>;

/**
 * Client -> server messages on WS /session. `renew` hands the agent a renewed token of the same
 * participant (from `POST /api/rooms/:id/token`), so sockets opened with the old one stay open past
 * its `exp`. `clipboard` is the controller's paste (contracts/src/clipboard.ts). `latency` is the
 * player's glass-to-glass figure for the room's metrics (contracts/src/agent-metrics.ts).
 */
export const SessionClientMessage = Type.Union([
  Type.Object({ type: Type.Literal('ping'), t: Type.Number() }),
  Type.Object({ type: Type.Literal('renew'), token: Type.String({ maxLength: 4096 }) }),
  ClipboardPasteMessage,
  LatencyReportMessage,
]);
export type SessionClientMessage = Static<typeof SessionClientMessage>;
