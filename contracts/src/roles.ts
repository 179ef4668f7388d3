import { oneOf } from './one-of.js';

/** Who someone is in a room. Ordered from most to least powerful. */
export const ROLES = ['operator', 'owner', 'participant', 'viewer'] as const;
export type Role = (typeof ROLES)[number];
export const Role = oneOf(ROLES);

/** Roles that may hold control of the desktop at all. */
const CONTROL_ROLES: readonly Role[] = ['operator', 'owner', 'participant'];

/** Roles that may give, take and reset control regardless of the queue. */
const MODERATOR_ROLES: readonly Role[] = ['operator', 'owner'];

export function isModerator(role: Role): boolean {
  return MODERATOR_ROLES.includes(role);
}

export function canHoldControl(role: Role): boolean {
  return CONTROL_ROLES.includes(role);
}
