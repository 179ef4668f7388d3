import { Type, type Static } from 'typebox';
import { oneOf } from './one-of.js';
import { RoomExpiry } from './lifecycle.js';

/** States of a supervised process (see room-agent/src/supervisor). */
export const ProcessStatus = oneOf([
  'stopped',
  'waiting',
  'starting',
  'ready',
  'backoff',
  'stopping',
  'failed',
]);
export type ProcessStatus = Static<typeof ProcessStatus>;

export const ProcessHealth = Type.Object({
  name: Type.String(),
  status: ProcessStatus,
  pid: Type.Union([Type.Integer(), Type.Null()]),
  restarts: Type.Integer({ minimum: 0 }),
  /** ms since epoch of the last status change */
  since: Type.Integer(),
  lastExit: Type.Union([
    Type.Object({
      code: Type.Union([Type.Integer(), Type.Null()]),
      signal: Type.Union([Type.String(), Type.Null()]),
      at: Type.Integer(),
    }),
    Type.Null(),
  ]),
});
export type ProcessHealth = Static<typeof ProcessHealth>;

/**
 * The version of the agent's protocol (its endpoints, bodies, session events and close codes) this
 * build speaks. Bump it with any change an agent or dashboard of the previous version would misread:
 * a dashboard drives only agents of its own version (docs/protocol.md, "Versions").
 */
export const AGENT_PROTOCOL_VERSION = 1;

/** Whether a dashboard of this build may drive an agent that reported `version` (absent: before versions). */
export function agentProtocolCompatible(version: number | null | undefined): boolean {
  return version === AGENT_PROTOCOL_VERSION;
}

export const AgentHealth = Type.Object({
  /** ok: every process ready and the stream is being published */
  status: Type.Union([
    Type.Literal('ok'),
    Type.Literal('degraded'),
    Type.Literal('starting'),
    Type.Literal('stopping'),
    Type.Literal('failed'),
  ]),
  room: Type.String(),
  /**
   * desktop-user: the desktop (window manager, app, whatever a controller starts) runs as its own
   * uid, apart from the agent; none: everything runs as the agent's uid (the agent is not root, or
   * the desktop user does not exist). Absent from agents older than this field.
   */
  isolation: Type.Optional(Type.Union([Type.Literal('desktop-user'), Type.Literal('none')])),
  /** AGENT_PROTOCOL_VERSION of the agent's build; absent from agents built before it existed */
  protocol: Type.Optional(Type.Integer({ minimum: 1 })),
  publishing: Type.Boolean(),
  viewers: Type.Integer({ minimum: 0 }),
  /** set once one of the room's timeouts ran out: the dashboard deletes the room */
  expired: Type.Optional(Type.Union([RoomExpiry, Type.Null()])),
  processes: Type.Array(ProcessHealth),
  /** set once the desktop could not come back (status failed): when, and what did not come back */
  failure: Type.Optional(Type.Object({ at: Type.Integer(), detail: Type.String() })),
  /** recent outages and recoveries, newest last */
  events: Type.Array(
    Type.Object({
      at: Type.Integer(),
      process: Type.String(),
      status: ProcessStatus,
      detail: Type.Optional(Type.String()),
    }),
  ),
});
export type AgentHealth = Static<typeof AgentHealth>;

/** GET /healthz of the dashboard. */
export const DashboardHealth = Type.Object({
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
export type DashboardHealth = Static<typeof DashboardHealth>;
