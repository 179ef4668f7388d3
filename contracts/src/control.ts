import { Type, type Static } from 'typebox';
import { oneOf } from './one-of.js';
import { Role } from './roles.js';

export const ParticipantRef = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Role,
});
export type ParticipantRef = Static<typeof ParticipantRef>;

/** The control lease as everyone in the room sees it. */
export const ControlState = Type.Object({
  /** sequence number of the last change; increases by one on every change */
  seq: Type.Integer({ minimum: 0 }),
  holder: Type.Union([ParticipantRef, Type.Null()]),
  /** FIFO: queue[0] is next */
  queue: Type.Array(ParticipantRef),
  /** only owners and operators may hold control */
  locked: Type.Boolean(),
});
export type ControlState = Static<typeof ControlState>;

/** Without `participantId`, control goes to the first in the queue (the holder's "pass it on"). */
export const GiveBody = Type.Object({
  participantId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});
export type GiveBody = Static<typeof GiveBody>;

/** Why the lease changed; sent with every control event. */
export const ControlChangeReason = oneOf([
  'request',
  'release',
  'take',
  'give',
  'reset',
  'disconnect',
  'idle',
  'lock',
]);
export type ControlChangeReason = Static<typeof ControlChangeReason>;

/** One change of the lease as the agent remembers it (GET /state keeps the recent ones). */
export const ControlChange = Type.Object({
  /** the lease's seq after the change */
  seq: Type.Integer({ minimum: 1 }),
  /** ms since epoch */
  at: Type.Integer(),
  reason: ControlChangeReason,
  /** participant id of whoever caused it; null for timers (idle, disconnect grace) */
  by: Type.Union([Type.String(), Type.Null()]),
  state: ControlState,
});
export type ControlChange = Static<typeof ControlChange>;

/**
 * The verbs of `POST /api/rooms/:id/control/:action` (and the agent's `/control/:action`) that take no
 * body: request | release for anyone who may hold control; take | reset | lock | unlock for moderators.
 */
export const ControlVerb = oneOf(['request', 'release', 'take', 'reset', 'lock', 'unlock']);
export type ControlVerb = Static<typeof ControlVerb>;

/** Every control call: the verbs and `give` (with a GiveBody). */
export type ControlAction = ControlVerb | 'give';
export const CONTROL_ACTIONS: readonly ControlAction[] = [
  'request',
  'release',
  'take',
  'reset',
  'lock',
  'unlock',
  'give',
];
