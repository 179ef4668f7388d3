import { Type, type Static } from 'typebox';
import {
  ControlState,
  GiveBody,
  ParticipantRef,
  Role,
  RoomExpiry,
  PARTICIPANT_ID_PATTERN,
  RoomId,
  RoomTimeouts,
} from '@boxroom/contracts';

/**
 * The public API's shapes. Each schema validates requests, types the handlers and becomes the OpenAPI
 * document: one source, no drift.
 */

export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String({ description: 'stable machine-readable code, see contracts/src/errors.ts' }),
    message: Type.String(),
  }),
});

export const RoomIdParams = Type.Object({ id: RoomId });

export const RoomStatus = Type.Union([
  Type.Literal('starting'),
  Type.Literal('ready'),
  Type.Literal('stopping'),
  Type.Literal('failed'),
]);

export const RoomApp = Type.Union([Type.Literal('terminal'), Type.Literal('browser')]);

export const ROOM_LIMITS = {
  width: { minimum: 320, maximum: 3840 },
  height: { minimum: 240, maximum: 2160 },
  fps: { minimum: 1, maximum: 60 },
} as const;

export const CreateRoomBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '\\S' })),
    // Even sizes: H.264 with 4:2:0 chroma needs them.
    width: Type.Optional(Type.Integer({ ...ROOM_LIMITS.width, multipleOf: 2, default: 1280 })),
    height: Type.Optional(Type.Integer({ ...ROOM_LIMITS.height, multipleOf: 2, default: 720 })),
    fps: Type.Optional(Type.Integer({ ...ROOM_LIMITS.fps, default: 30 })),
    app: Type.Optional(RoomApp),
    timeouts: Type.Optional(RoomTimeouts),
  },
  { additionalProperties: false },
);
export type CreateRoomBody = Static<typeof CreateRoomBody>;

export const RoomLinks = Type.Object({
  participant: Type.String({ description: 'join link for participants; the invite is in the fragment' }),
  viewer: Type.String({ description: 'join link for viewers (watch only)' }),
  owner: Type.String({ description: "the creator's link: owners manage the room and moderate control" }),
});
export type RoomLinks = Static<typeof RoomLinks>;

export const Room = Type.Object({
  id: Type.String(),
  name: Type.String(),
  status: RoomStatus,
  createdAt: Type.String({ format: 'date-time' }),
  width: Type.Integer(),
  height: Type.Integer(),
  fps: Type.Integer(),
  app: RoomApp,
  /** present for callers that may invite (operator, owner) */
  links: Type.Optional(RoomLinks),
  /** live figures from the room agent; null when it could not be asked */
  viewers: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  controller: Type.Optional(Type.Union([ParticipantRef, Type.Null()])),
  /** the room's timeouts with the defaults applied, seconds, 0: off */
  timeouts: Type.Required(RoomTimeouts),
  /** who is in the room (session channel), from the agent; null when it could not be asked */
  participants: Type.Optional(
    Type.Union([
      Type.Array(
        Type.Object({
          ...ParticipantRef.properties,
          joinedAt: Type.Integer({ description: 'ms since epoch' }),
        }),
      ),
      Type.Null(),
    ]),
  ),
  /** the control lease (holder, queue, locked), from the agent; null when it could not be asked */
  control: Type.Optional(Type.Union([ControlState, Type.Null()])),
  /** true: the room runtime (docker engine) did not answer; status is the last one it reported */
  stale: Type.Optional(Type.Boolean()),
  /** set when a timeout ran out: the room is being deleted */
  expired: Type.Optional(Type.Union([RoomExpiry, Type.Null()])),
  /**
   * the protocol of the room's agent; `compatible: false` for a room started by another build of the
   * dashboard: listed, but every call that would drive it answers 409. null when it could not be asked.
   */
  agentProtocol: Type.Optional(
    Type.Union([
      Type.Object({ version: Type.Union([Type.Integer(), Type.Null()]), compatible: Type.Boolean() }),
      Type.Null(),
    ]),
  ),
});
export type Room = Static<typeof Room>;

export const RoomList = Type.Object({
  rooms: Type.Array(Room),
  /** the room runtime did not answer: the list is the last one known */
  stale: Type.Optional(Type.Boolean()),
});

export const JoinBody = Type.Object(
  {
    invite: Type.String({ minLength: 1, maxLength: 256, description: 'the secret from the link fragment' }),
    name: Type.String({ minLength: 1, maxLength: 64, pattern: '\\S', description: 'display name' }),
  },
  { additionalProperties: false },
);
export type JoinBody = Static<typeof JoinBody>;

/** What a joining page needs to start at once, without asking GET /api/rooms/:id first. */
export const JoinedRoom = Type.Pick(Room, ['id', 'name', 'status', 'width', 'height', 'fps', 'app'], {
  description: 'the room at the time of the join: with status `ready` the stream can be opened at once',
});
export type JoinedRoom = Static<typeof JoinedRoom>;

export const JoinResult = Type.Object({
  token: Type.String({ description: 'bearer for the API, `?token=` for /rooms/:id/*' }),
  role: Role,
  participantId: Type.String(),
  expiresAt: Type.String({ format: 'date-time', description: 'join again before this to refresh' }),
  room: JoinedRoom,
});
export type JoinResult = Static<typeof JoinResult>;

export const RenewResult = Type.Object({
  token: Type.String({ description: 'a new token of the same participant (id, role, name)' }),
  expiresAt: Type.String({ format: 'date-time', description: 'renew again before this' }),
});
export type RenewResult = Static<typeof RenewResult>;

export const KickParams = Type.Object({
  id: RoomIdParams.properties.id,
  participantId: Type.String({
    pattern: PARTICIPANT_ID_PATTERN,
    description: 'a participant id from the presence list (`p` and 11 lowercase letters or digits)',
  }),
});

export const ControlParams = Type.Object({
  id: RoomIdParams.properties.id,
  action: Type.Union([
    Type.Literal('request'),
    Type.Literal('release'),
    Type.Literal('take'),
    Type.Literal('reset'),
    Type.Literal('lock'),
    Type.Literal('unlock'),
  ]),
});
export type ControlParams = Static<typeof ControlParams>;

export { ControlState, GiveBody };

export const DesktopResetResult = Type.Object(
  {
    room: RoomIdParams.properties.id,
    status: Type.Literal('resetting'),
  },
  {
    description:
      "the agent has begun ending every process of the room's desktop user and will start the window manager and app afresh; viewers and control are untouched",
  },
);
export type DesktopResetResult = Static<typeof DesktopResetResult>;

export const InviteParams = Type.Object({
  id: RoomIdParams.properties.id,
  role: Type.Union([Type.Literal('owner'), Type.Literal('participant'), Type.Literal('viewer')]),
});

export const StreamQuery = Type.Object({
  token: Type.Optional(Type.String({ description: 'participant token (never logged)' })),
});

export const Health = Type.Object({
  /** degraded: the room runtime (the docker engine) does not answer; rooms come from the cache */
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  driver: Type.String(),
  rooms: Type.Integer(),
  /** drivers with an engine (docker): whether it answers */
  engine: Type.Optional(Type.Union([Type.Literal('ok'), Type.Literal('unresponsive')])),
  /** true: room states are the last ones the engine reported */
  stale: Type.Optional(Type.Boolean()),
  /** when the engine stopped answering */
  engineUnresponsiveSince: Type.Optional(Type.String({ format: 'date-time' })),
});

/** Response schemas for the error statuses a route can answer with. */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorBody> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorBody]));
}
