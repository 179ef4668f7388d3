import { Type, type Static } from 'typebox';

/**
 * What a room agent must refuse beyond a token's signature and `exp`: the dashboard sends it to
 * `POST /rights` (with an AGENT_AUDIENCE token) on every kick and revocation, and again on its
 * periodic calls, so a restarted agent learns it back. Agents merge what they get (union of kicks,
 * latest revocation per role): sending the same rights twice changes nothing.
 */
export const RoomRights = Type.Object({
  /** removed participants; `until` (s since epoch): no token of theirs lives past it, then forget them */
  kicked: Type.Array(
    Type.Object({
      participantId: Type.String({ minLength: 1, maxLength: 64 }),
      until: Type.Integer({ minimum: 0 }),
    }),
    { maxItems: 10_000 },
  ),
  /** per invite role: tokens of that role with `iat` before this (s since epoch) are refused */
  revokedBefore: Type.Object(
    {
      owner: Type.Optional(Type.Integer({ minimum: 0 })),
      participant: Type.Optional(Type.Integer({ minimum: 0 })),
      viewer: Type.Optional(Type.Integer({ minimum: 0 })),
    },
    { additionalProperties: false },
  ),
});
export type RoomRights = Static<typeof RoomRights>;
