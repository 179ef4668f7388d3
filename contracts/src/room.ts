import { Type, type Static } from 'typebox';
import { oneOf } from './one-of.js';
import { ControlState, ParticipantRef } from './control.js';
import { ResolvedRoomTimeouts, RoomExpiry } from './lifecycle.js';
import { RoomStatus } from './room-status.js';
import { RoomSettings } from './room-settings.js';
import { Presence } from './session.js';
import { TEMPLATE_APPS } from './templates.js';

/**
 * What a room's desktop runs: a terminal (xterm), a browser (Chromium), a light desktop session, or
 * a template's own command (templates.ts).
 */
export const ROOM_APPS = TEMPLATE_APPS;
export type RoomApp = (typeof ROOM_APPS)[number];
export const RoomApp = oneOf(ROOM_APPS);

export const RoomLinks = Type.Object({
  participant: Type.String({ description: 'join link for participants; the invite is in the fragment' }),
  viewer: Type.String({ description: 'join link for viewers (watch only)' }),
  owner: Type.String({ description: "the creator's link: owners manage the room and moderate control" }),
});
export type RoomLinks = Static<typeof RoomLinks>;

/** What the dashboard learned of a room's agent: the protocol version it speaks. */
export const AgentProtocolInfo = Type.Object({
  version: Type.Union([Type.Integer(), Type.Null()]),
  compatible: Type.Boolean(),
});
export type AgentProtocolInfo = Static<typeof AgentProtocolInfo>;

/** The longest `failure` a room answer carries: a runtime's words are cut there. */
export const ROOM_FAILURE_MAX_CHARS = 200;

/**
 * What anyone holding an invite may know of a room. Room and JoinedRoom are spelled out from these
 * rather than with `Type.Pick`, whose machinery would follow the schemas into the web's bundle.
 */
const summary = {
  id: Type.String(),
  name: Type.String(),
  status: RoomStatus,
  width: Type.Integer(),
  height: Type.Integer(),
  fps: Type.Integer(),
  app: RoomApp,
};

/** A room as the dashboard's API returns it (GET /api/rooms, /api/rooms/:id, POST /api/rooms). */
export const Room = Type.Object({
  id: summary.id,
  name: summary.name,
  status: summary.status,
  createdAt: Type.String({ format: 'date-time' }),
  width: summary.width,
  height: summary.height,
  fps: summary.fps,
  app: summary.app,
  /** the template it was made from (absent on rooms made before templates: their `app` names it) */
  template: Type.Optional(Type.String()),
  /** browser rooms: the page it opened first */
  startUrl: Type.Optional(Type.String()),
  /** the persistent profile its app's home is (profiles.ts), or null */
  profile: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  /** the live settings (PATCH /api/rooms/:id changes them while the room runs) */
  settings: RoomSettings,
  /** present for callers that may invite (operator, owner) */
  links: Type.Optional(RoomLinks),
  /** live figures from the room agent; null when it could not be asked */
  viewers: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  controller: Type.Optional(Type.Union([ParticipantRef, Type.Null()])),
  /** the room's timeouts with the defaults applied, seconds, 0: off */
  timeouts: ResolvedRoomTimeouts,
  /** who is in the room (session channel), from the agent; null when it could not be asked */
  participants: Type.Optional(Type.Union([Type.Array(Presence), Type.Null()])),
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
  agentProtocol: Type.Optional(Type.Union([AgentProtocolInfo, Type.Null()])),
  /**
   * why a `failed` room failed, in its runtime's words, one line without secrets: the local agent's
   * exit or a start that was not healthy in time, the container's exit code, out of memory or its
   * healthcheck, the swarm task's state and error, a lost node. null: the runtime did not say.
   * Absent for every other status (a room that recovers drops it).
   */
  failure: Type.Optional(
    Type.Union([Type.String({ maxLength: ROOM_FAILURE_MAX_CHARS }), Type.Null()], {
      description: 'why a failed room failed (absent unless `status` is `failed`)',
    }),
  ),
});
export type Room = Static<typeof Room>;

export const RoomList = Type.Object({
  rooms: Type.Array(Room),
  /** the room runtime did not answer: the list is the last one known */
  stale: Type.Optional(Type.Boolean()),
});
export type RoomList = Static<typeof RoomList>;

/** What a joining page needs to start at once, without asking GET /api/rooms/:id first. */
export const JoinedRoom = Type.Object(summary, {
  description: 'the room at the time of the join: with status `ready` the stream can be opened at once',
});
export type JoinedRoom = Static<typeof JoinedRoom>;

/**
 * The longest `GET /api/rooms/:id?wait=` hold, ms: under the usual idle timeouts of proxies (30-60 s),
 * and a starting room takes 1-3 s, so one hold nearly always sees it through.
 */
export const ROOM_WAIT_MAX_MS = 20_000;

/**
 * `wait`: a `starting` room is answered when its status moves (ready, failed, stopping) or after this
 * many ms, whichever is first, instead of at once: a page waiting for a room to start holds one request
 * rather than polling. Any other status is answered at once.
 */
export const RoomGetQuery = Type.Object({
  wait: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: ROOM_WAIT_MAX_MS,
      description: 'ms to hold the answer while the room is starting (0: answer at once)',
    }),
  ),
});
export type RoomGetQuery = Static<typeof RoomGetQuery>;
