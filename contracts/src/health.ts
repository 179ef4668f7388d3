import { Type, type Static } from 'typebox';
import { RoomExpiry } from './lifecycle.js';

/** States of a supervised process (see room-agent/src/supervisor). */
export const ProcessStatus = Type.Union([
  Type.Literal('stopped'),
  Type.Literal('waiting'),
  Type.Literal('starting'),
  Type.Literal('ready'),
  Type.Literal('backoff'),
  Type.Literal('stopping'),
  Type.Literal('failed'),
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

export const AgentHealth = Type.Object({
  /** ok: every process ready and the stream is being published */
  status: Type.Union([
    Type.Literal('ok'),
    Type.Literal('degraded'),
    Type.Literal('starting'),
    Type.Literal('stopping'),
  ]),
  room: Type.String(),
  /**
   * desktop-user: the desktop (window manager, app, whatever a controller starts) runs as its own
   * uid, apart from the agent; none: everything runs as the agent's uid (the agent is not root, or
   * the desktop user does not exist). Absent from agents older than this field.
   */
  isolation: Type.Optional(Type.Union([Type.Literal('desktop-user'), Type.Literal('none')])),
  publishing: Type.Boolean(),
  viewers: Type.Integer({ minimum: 0 }),
  /** set once one of the room's timeouts ran out: the dashboard deletes the room */
  expired: Type.Optional(Type.Union([RoomExpiry, Type.Null()])),
  processes: Type.Array(ProcessHealth),
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
