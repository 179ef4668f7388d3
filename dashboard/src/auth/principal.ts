import { timingSafeEqual, createHash } from 'node:crypto';
import { ADMIN_ACCOUNT_ID, type AccountRef, type Role } from '@boxroom/contracts';
import { errors } from '../errors.js';
import type { RightsService } from './rights-service.js';
import type { TokenService } from './token-service.js';

/**
 * Who is calling the API: an operator account (no room: it spans rooms) — the admin credential (the
 * break-glass admin account, which never leaves the dashboard), or a signed-in or API-token account
 * (admin and operator: room role operator; creator: room role owner, spanning the rooms it created)
 * — or a room token, confined to its room whatever its role.
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
  /** the operator account acting, for principals without a room (the audit trail's actor) */
  readonly account?: AccountRef;
  /** the account acts through a personal API token (which may not mint more of them) */
  readonly viaApiToken?: boolean;
}

/** The admin token: rooms it creates have always been owned by 'operator' (ADMIN_ACCOUNT_ID). */
export const OPERATOR: Principal = Object.freeze({
  role: 'operator',
  id: ADMIN_ACCOUNT_ID,
  name: 'operator',
  room: null,
  token: null,
  account: Object.freeze({ id: ADMIN_ACCOUNT_ID, name: 'admin', role: 'admin' as const }),
});

/** An operator account as a principal: admins and operators moderate every room, creators their own. */
export function principalOfAccount(account: AccountRef): Principal {
  return {
    role: account.role === 'creator' ? 'owner' : 'operator',
    id: account.id,
    name: account.name,
    room: null,
    token: null,
    account,
  };
}

/** True for the admin credential and admin accounts: settings, every account's tokens and quotas. */
export function isAdmin(p: Principal | null): boolean {
  return p?.account?.role === 'admin';
}

/** Bearers that are not room tokens: personal API tokens (their service says whose, or null). */
export interface AccountBearers {
  /** true when the bearer has this kind's shape (then it is never tried as a room token) */
  owns(bearer: string): boolean;
  /** the account it acts for; null: unknown, revoked or expired */
  resolve(bearer: string): Promise<AccountRef | null>;
  /** true for a personal API token (its principal says so: viaApiToken) */
  isApiToken?(bearer: string): boolean;
}

/** Bearers of several kinds: the first that knows one decides (tests' fixed bearers, then real tokens). */
export function firstBearers(...list: AccountBearers[]): AccountBearers {
  return {
    owns: (bearer) => list.some((b) => b.owns(bearer)),
    isApiToken: (bearer) => list.some((b) => b.isApiToken?.(bearer) ?? false),
    resolve: async (bearer) => {
      for (const b of list) {
        const account = b.owns(bearer) ? await b.resolve(bearer) : null;
        if (account) return account;
      }
      return null;
    },
  };
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Turns an Authorization header into a Principal; throws `unauthorized` for a bad bearer. */
export class PrincipalResolver {
  private readonly adminDigest: Buffer;

  constructor(
    adminToken: string,
    private readonly tokens: TokenService,
    private readonly rights?: RightsService,
    private readonly accounts?: AccountBearers,
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
    if (this.accounts?.owns(bearer)) {
      const account = await this.accounts.resolve(bearer);
      if (!account) throw errors.unauthorized('this API token is unknown, revoked or expired');
      const principal = principalOfAccount(account);
      return this.accounts.isApiToken?.(bearer) ? { ...principal, viaApiToken: true } : principal;
    }
    // verify() refuses agent-audience tokens: the dashboard's own calls to agents are no credential here.
    const claims = await this.tokens.verify(bearer);
    this.rights?.check(claims);
    return { role: claims.role, id: claims.sub, name: claims.name, room: claims.room, token: bearer };
  }
}
