import { Type, type Static } from 'typebox';
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

export const ControlAction = Type.Union([
  Type.Literal('request'),
  Type.Literal('release'),
  Type.Literal('take'),
  Type.Literal('give'),
  Type.Literal('reset'),
]);
export type ControlAction = Static<typeof ControlAction>;

export const GiveBody = Type.Object({ participantId: Type.String({ minLength: 1, maxLength: 64 }) });
export type GiveBody = Static<typeof GiveBody>;

/** Why the holder changed; sent with every control event. */
export type ControlChangeReason =
  'request' | 'release' | 'take' | 'give' | 'reset' | 'disconnect' | 'idle' | 'lock';
