import { timingSafeEqual, createHash } from 'node:crypto';
import type { Role } from '@boxroom/contracts';
import { errors } from '../errors.js';
import type { RightsService } from './rights-service.js';
import type { TokenService } from './token-service.js';

/**
 * Who is calling the API: the admin credential (role operator, no room: it spans rooms, and it never
 * leaves the dashboard), or a room token, confined to its room whatever its role. abilities.ts also
 * knows accounts (role owner, no room: they span the rooms they created); none is resolved yet.
 */
export interface Principal {
  readonly role: Role;
  /** participant id; 'operator' for the admin token; a room this principal creates records it as ownerId */
  readonly id: string;
  readonly name: string;
  /** the room a token is for; null for principals that span rooms (see abilityFor) */
  readonly room: string | null;
  /** the room token, forwarded to its room's agent as is; null for principals without a room */
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
    // verify() refuses agent-audience tokens: the dashboard's own calls to agents are no credential here.
    const claims = await this.tokens.verify(bearer);
    this.rights?.check(claims);
    return { role: claims.role, id: claims.sub, name: claims.name, room: claims.room, token: bearer };
  }
}
