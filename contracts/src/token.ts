import { Type, type Static } from 'typebox';
import { Role } from './roles.js';

/**
 * The audience of tokens the dashboard mints for its own calls to a room agent (state polls, kicks,
 * revocations). The dashboard API refuses every token that has an audience; agents accept both.
 */
export const AGENT_AUDIENCE = 'boxroom-agent';

/**
 * Claims of a participant token. The dashboard signs it (EdDSA, Ed25519);
 * a room agent holds only the public key and checks `room` against its own id.
 */
export const TokenClaims = Type.Object({
  iss: Type.Literal('boxroom'),
  /** participant id */
  sub: Type.String({ minLength: 1, maxLength: 64 }),
  room: Type.String({ minLength: 1, maxLength: 64 }),
  role: Role,
  name: Type.String({ maxLength: 64 }),
  iat: Type.Integer(),
  exp: Type.Integer(),
  /** only on the dashboard's own tokens for agents (AGENT_AUDIENCE) */
  aud: Type.Optional(Type.Literal(AGENT_AUDIENCE)),
});
export type TokenClaims = Static<typeof TokenClaims>;

export const TOKEN_ISSUER = 'boxroom';
export const TOKEN_ALG = 'EdDSA';
