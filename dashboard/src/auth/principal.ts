import { timingSafeEqual, createHash } from 'node:crypto';
import type { Role } from '@boxroom/contracts';
import { errors } from '../errors.js';
import type { RightsService } from './rights-service.js';
import type { TokenService } from './token-service.js';

/** Who is calling the API. Operators use the admin token; everyone else a participant token. */
export interface Principal {
  readonly role: Role;
  /** participant id; 'operator' for the admin token */
  readonly id: string;
  readonly name: string;
  /** the room a participant token is for; null for the operator (every room) */
  readonly room: string | null;
  /** the participant token, forwarded to agents as is; null for the operator */
  readonly token: string | null;
}

export const OPERATOR: Principal = Object.freeze({
  role: 'operator',
  id: 'operator',
  name: 'operator',
  room: null,
  token: null,
});

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Turns an Authorization header into a Principal; throws `unauthorized` for a bad bearer. */
export class PrincipalResolver {
  private readonly adminDigest: Buffer;

  constructor(
    adminToken: string,
    private readonly tokens: TokenService,
    private readonly rights?: RightsService,
  ) {
    this.adminDigest = digest(adminToken);
  }

  /** null when there is no Authorization header at all (routes decide whether that is fine). */
  async resolve(authorization: string | undefined): Promise<Principal | null> {
    if (authorization === undefined || authorization === '') return null;
    const m = /^Bearer ([^\s]+)$/i.exec(authorization.trim());
    if (!m?.[1]) throw errors.unauthorized('expected "Authorization: Bearer <token>"');
    const bearer = m[1];
    // Compare digests: equal length, constant time, whatever the caller sent.
    if (timingSafeEqual(digest(bearer), this.adminDigest)) return OPERATOR;
    const claims = await this.tokens.verify(bearer);
    // The dashboard's own tokens for agents are not credentials for its API.
    if (claims.aud !== undefined) throw errors.unauthorized('agent tokens are not accepted here');
    this.rights?.check(claims);
    return { role: claims.role, id: claims.sub, name: claims.name, room: claims.room, token: bearer };
  }
}
