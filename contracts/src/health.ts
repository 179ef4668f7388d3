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
    Type.Literal('failed'),
  ]),
  room: Type.String(),
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
