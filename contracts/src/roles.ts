import { Type, type Static } from 'typebox';

/** Who someone is in a room. Ordered from most to least powerful. */
export const Role = Type.Union([
  Type.Literal('operator'),
  Type.Literal('owner'),
  Type.Literal('participant'),
  Type.Literal('viewer'),
]);
export type Role = Static<typeof Role>;

export const ROLES: readonly Role[] = ['operator', 'owner', 'participant', 'viewer'];

/** Roles that may hold control of the desktop at all. */
export const CONTROL_ROLES: readonly Role[] = ['operator', 'owner', 'participant'];

/** Roles that may give, take and reset control regardless of the queue. */
export const MODERATOR_ROLES: readonly Role[] = ['operator', 'owner'];

export function isModerator(role: Role): boolean {
  return MODERATOR_ROLES.includes(role);
}

export function canHoldControl(role: Role): boolean {
  return CONTROL_ROLES.includes(role);
}
