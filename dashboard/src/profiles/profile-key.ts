import { createHash } from 'node:crypto';
import type { ProfileRef } from '../rooms/room-driver.js';

/**
 * The name a profile's home has on disk or in the engine: a hash of owner and name, so that any
 * owner id (an account id, an email) and any profile name make a safe, fixed-length file or volume
 * name, and no two (owner, name) pairs share one (the pair is hashed as JSON: no separator to forge).
 */
export function profileKey(ref: ProfileRef): string {
  return createHash('sha256')
    .update(JSON.stringify([ref.owner, ref.name]))
    .digest('hex')
    .slice(0, 32);
}

/** The docker volume of a profile, scoped by the driver instance like the containers are. */
export function profileVolumeName(instance: string, ref: ProfileRef): string {
  return `boxroom-${instance}-profile-${profileKey(ref)}`;
}
