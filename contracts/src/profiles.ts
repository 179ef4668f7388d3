import { Type, type Static } from 'typebox';

/**
 * Persistent profiles: the app's home (browser profile, settings, downloads) kept per owner and
 * profile name across rooms, mounted by one room at a time.
 */

export const PROFILE_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';
export const ProfileName = Type.String({
  pattern: PROFILE_NAME_PATTERN,
  description: 'a profile of the creating principal: letters, digits, . _ -, at most 64',
});

export const Profile = Type.Object({
  name: ProfileName,
  /** the principal that created the rooms using it (a profile is per owner and name) */
  owner: Type.String(),
  /** what its home holds on disk; null while it could not be measured */
  bytes: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  /** the room that has it mounted now, or null */
  inUseBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.String({ format: 'date-time' }),
});
export type Profile = Static<typeof Profile>;

/** GET /api/profiles: operators see every profile, others their own. */
export const ProfileList = Type.Object({ profiles: Type.Array(Profile) });
export type ProfileList = Static<typeof ProfileList>;
