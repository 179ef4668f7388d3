import {
  AbilityBuilder,
  createMongoAbility,
  subject,
  type ForcedSubject,
  type MongoAbility,
} from '@casl/ability';
import { errors } from '../errors.js';
import type { Principal } from './principal.js';

export type ControlVerb = 'request' | 'release' | 'take' | 'give' | 'reset' | 'lock' | 'unlock';

export type RoomAction =
  | 'manage'
  | 'create'
  | 'read'
  | 'delete'
  | 'watch'
  /** see and revoke invite links */
  | 'invite'
  | `control:${ControlVerb}`;

/** The fields of a room that rules look at. */
export interface RoomSubject {
  id: string;
  ownerId: string | null;
}

type Subjects = 'Room' | (RoomSubject & ForcedSubject<'Room'>) | 'all';
export type AppAbility = MongoAbility<[RoomAction, Subjects]>;

const WATCH: RoomAction[] = ['read', 'watch'];
// give: the holder hands control on (the agent refuses a participant who does not hold it).
const PARTICIPATE: RoomAction[] = [...WATCH, 'control:request', 'control:release', 'control:give'];
const MODERATE: RoomAction[] = [
  ...PARTICIPATE,
  'delete',
  'invite',
  'control:take',
  'control:reset',
  'control:lock',
  'control:unlock',
];

/** What a principal may do. Non-operators are confined to the room their token names. */
export function abilityFor(p: Principal): AppAbility {
  const { can, build } = new AbilityBuilder<AppAbility>(createMongoAbility);
  switch (p.role) {
    case 'operator':
      can('manage', 'all');
      break;
    case 'owner':
      can(MODERATE, 'Room', { id: p.room ?? undefined });
      can(MODERATE, 'Room', { ownerId: p.id });
      break;
    case 'participant':
      can(PARTICIPATE, 'Room', { id: p.room ?? undefined });
      break;
    case 'viewer':
      can(WATCH, 'Room', { id: p.room ?? undefined });
      break;
  }
  return build();
}

/**
 * Wrap a plain room for casl: without the subject type, conditional rules never match a plain
 * object (docs/decisions.md, "Tool behaviour") and every check would silently deny.
 */
export function roomSubject(room: RoomSubject): RoomSubject & ForcedSubject<'Room'> {
  return subject('Room', { id: room.id, ownerId: room.ownerId });
}

export function can(p: Principal, action: RoomAction, room?: RoomSubject): boolean {
  return abilityFor(p).can(action, room ? roomSubject(room) : 'Room');
}

/** Throws `unauthorized` without a principal and `forbidden` when the ability says no. */
export function authorize(
  p: Principal | null,
  action: RoomAction,
  room?: RoomSubject,
): asserts p is Principal {
  if (!p) throw errors.unauthorized();
  if (!can(p, action, room))
    throw errors.forbidden(`a ${p.role} may not ${action.replace('control:', 'control/')} this room`);
}
