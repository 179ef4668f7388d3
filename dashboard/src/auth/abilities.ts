import {
  AbilityBuilder,
  createMongoAbility,
  subject,
  type ForcedSubject,
  type MongoAbility,
} from '@casl/ability';
import type { ControlAction } from '@boxroom/contracts';
import { errors } from '../errors.js';
import type { Principal } from './principal.js';

export type RoomAction =
  | 'manage'
  /** room-independent: principals that span rooms only (the admin credential, accounts) */
  | 'create'
  | 'list'
  | 'read'
  | 'delete'
  | 'watch'
  /** see and revoke invite links */
  | 'invite'
  /** remove a participant from the room */
  | 'kick'
  /** end every process of the desktop user and start the app afresh */
  | 'desktop:reset'
  /** start and stop recording the room, delete its recordings (who may watch them: recording-access.ts) */
  | 'record'
  /** change the live settings: the size, the clipboard policy (PATCH /api/rooms/:id) */
  | 'settings'
  /** files into the room (a participant also needs control: the agent checks), and out of it */
  | 'files:upload'
  | 'files:download'
  | `control:${ControlAction}`;

/** The fields of a room that rules look at. */
export interface RoomSubject {
  id: string;
  ownerId: string | null;
}

type Subjects = 'Room' | (RoomSubject & ForcedSubject<'Room'>) | 'all';
export type AppAbility = MongoAbility<[RoomAction, Subjects]>;

const WATCH: RoomAction[] = ['read', 'watch'];
// give: the holder hands control on (the agent refuses a participant who does not hold it).
// files:upload for a participant holds only while they hold control, which the agent knows.
const PARTICIPATE: RoomAction[] = [
  ...WATCH,
  'control:request',
  'control:release',
  'control:give',
  'files:upload',
  'files:download',
];
const MODERATE: RoomAction[] = [
  ...PARTICIPATE,
  'delete',
  'invite',
  'kick',
  'control:take',
  'control:reset',
  'control:lock',
  'control:unlock',
  'desktop:reset',
  'record',
  'settings',
];

/**
 * What a principal may do. Principals without a room span rooms: the admin credential (role
 * operator) every room, an account (role owner) the rooms it created (their `ownerId` is its id).
 * Every token names one room and is confined to it whatever its role, an `operator`-role room token
 * included (it moderates that room and nothing else), even a token whose subject owns other rooms.
 */
export function abilityFor(p: Principal): AppAbility {
  const { can, build } = new AbilityBuilder<AppAbility>(createMongoAbility);
  if (p.room === null) {
    if (p.role === 'operator') can('manage', 'all');
    if (p.role === 'owner') {
      can(['create', 'list'], 'Room');
      can(MODERATE, 'Room', { ownerId: p.id });
    }
    return build();
  }
  const here = { id: p.room };
  switch (p.role) {
    case 'operator':
    case 'owner':
      can(MODERATE, 'Room', here);
      break;
    case 'participant':
      can(PARTICIPATE, 'Room', here);
      break;
    case 'viewer':
      can(WATCH, 'Room', here);
      break;
  }
  return build();
}

/**
 * Wrap a plain room for casl: without the subject type, conditional rules never match a plain
 * object (casl matches conditions only on subjects it can type) and every check would silently deny.
 */
export function roomSubject(room: RoomSubject): RoomSubject & ForcedSubject<'Room'> {
  return subject('Room', { id: room.id, ownerId: room.ownerId });
}

/** Without a room: a room-independent action, which no room token may take (see authorize). */
export function can(p: Principal, action: RoomAction, room?: RoomSubject): boolean {
  if (!room && p.room !== null) return false;
  return abilityFor(p).can(action, room ? roomSubject(room) : 'Room');
}

/**
 * Throws `unauthorized` without a principal and `forbidden` when the ability says no. The room
 * confinement is checked here first, with its own message: casl answers a check without a room
 * (`create`, `list`) with yes whenever any conditional rule for the action exists, so a room token
 * must never reach such a check.
 */
export function authorize(
  p: Principal | null,
  action: RoomAction,
  room?: RoomSubject,
): asserts p is Principal {
  if (!p) throw errors.unauthorized();
  if (p.room !== null && !room)
    throw errors.forbidden(`a room token may not ${action} rooms; only the admin credential spans rooms`);
  if (p.room !== null && room && p.room !== room.id) throw errors.forbidden('this token is for another room');
  if (!can(p, action, room))
    throw errors.forbidden(`a ${p.role} may not ${action.replace(':', '/')} this room`);
}
