import { Type, type Static } from 'typebox';
import { Role } from './roles.js';

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
  /**
   * Set only on tokens the dashboard mints for its own calls to an agent (state polls, the reaper,
   * commands it proxies). Agents accept tokens with or without it (the room must match); the
   * dashboard API refuses every token that has it.
   */
  aud: Type.Optional(Type.Literal('boxroom-agent')),
});
export type TokenClaims = Static<typeof TokenClaims>;

export const TOKEN_ISSUER = 'boxroom';
export const TOKEN_ALG = 'EdDSA';
/** The `aud` of the dashboard's own tokens for agents. */
export const AGENT_AUDIENCE = 'boxroom-agent';
