import { errors } from '../errors.js';
import type { Principal } from '../auth/principal.js';

/**
 * Profiles belong to principals that span rooms (they create rooms): the admin credential sees and
 * deletes every owner's, an account its own. A room token has none.
 */
export function requireProfileCaller(p: Principal | null): Principal {
  if (!p) throw errors.unauthorized();
  if (p.room !== null) throw errors.forbidden('a room token has no profiles');
  return p;
}

export function seesEveryProfile(p: Principal): boolean {
  return p.room === null && p.role === 'operator';
}

/**
 * The owner whose profile a DELETE means: the caller's own unless an operator names another with
 * `?owner=`. An operator who names none means the one owner with a profile of that name (`owners`:
 * every owner that has one); several: the request must say which.
 */
export function ownerToDelete(
  p: Principal,
  asked: string | undefined,
  name: string,
  owners: string[],
): string {
  if (!seesEveryProfile(p)) {
    if (asked !== undefined && asked !== p.id)
      throw errors.forbidden("only operators delete another owner's profile");
    return p.id;
  }
  if (asked !== undefined) return asked;
  if (owners.length > 1)
    throw errors.badRequest(`several owners have a profile ${name}: say which with ?owner=`);
  return owners[0] ?? p.id;
}
