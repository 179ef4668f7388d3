import {
  API_TOKEN_PREFIX,
  type AccountRef,
  type ApiToken,
  type CreateApiTokenBody,
  type CreatedApiToken,
} from '@boxroom/contracts';
import { errors } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ApiTokenEntry, StateStore } from '../store/state-store.js';
import { mintApiToken, parseApiToken, secretMatches } from './api-token-secret.js';
import { isAdmin, type AccountBearers, type Principal } from './principal.js';

/** lastUsedAt is a hint for people cleaning up: one write a minute per token is plenty. */
export const LAST_USED_WRITE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * Personal API tokens: an account's bearer for API clients, acting with the account's role. Every use
 * reads the store (no cache), so a deleted token is refused at once on every replica. The one place
 * tokens are made (create) and revoked (revoke).
 */
export class ApiTokenService implements AccountBearers {
  constructor(
    private readonly store: StateStore,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    /** token.create and token.revoke go into the audit trail (audit/ imports auth/: not the other way) */
    private readonly audit: TokenAudit | null = null,
  ) {}

  owns(bearer: string): boolean {
    return bearer.startsWith(API_TOKEN_PREFIX);
  }

  isApiToken(bearer: string): boolean {
    return parseApiToken(bearer) !== null;
  }

  async resolve(bearer: string): Promise<AccountRef | null> {
    const parsed = parseApiToken(bearer);
    if (!parsed) return null;
    const entry = await this.store.getApiToken(parsed.id);
    if (!entry || !secretMatches(parsed.secret, entry.digest)) return null;
    const now = this.now();
    if (entry.expiresAt && Date.parse(entry.expiresAt) <= now) return null;
    if (!entry.lastUsedAt || now - Date.parse(entry.lastUsedAt) >= LAST_USED_WRITE_MS) {
      // not awaited: a slow write never delays the call; a lost one only leaves the hint older
      this.store
        .touchApiToken(entry.id, new Date(now).toISOString())
        .catch((err: unknown) => this.log.warn({ err, token: entry.id }, 'lastUsedAt not written'));
    }
    // the role the account has now (it signed in again since), else the one it had when it made the token
    const account = await this.store.getAccount(entry.owner.id);
    return account ? { id: account.id, name: account.name, role: account.role } : entry.owner;
  }

  /** A token for the caller's own account (a signed-in person, an API client, the admin token). */
  async create(p: Principal | null, body: CreateApiTokenBody): Promise<CreatedApiToken> {
    const owner = accountOf(p);
    // a stolen token must not outlive its own revocation through tokens it made
    if (p?.viaApiToken)
      throw errors.forbidden(
        'an API token cannot make API tokens: sign in (or use the admin token) to make one',
      );
    const minted = mintApiToken();
    const now = this.now();
    const token: ApiToken = {
      id: minted.id,
      name: body.name,
      owner: { id: owner.id, name: owner.name, role: owner.role },
      createdAt: new Date(now).toISOString(),
      expiresAt: body.expiresInDays ? new Date(now + body.expiresInDays * DAY_MS).toISOString() : null,
      lastUsedAt: null,
    };
    await this.store.insertApiToken({ ...token, digest: minted.digest });
    await this.audit?.record(p!, 'token.create', null, 'ok', {
      token: token.id,
      name: token.name,
      expiresAt: token.expiresAt,
    });
    this.log.info({ token: token.id, owner: owner.id }, 'API token created');
    return { token, secret: minted.bearer };
  }

  /** The caller's tokens; an admin's `owner` or `all` for others'. */
  async list(p: Principal | null, q: { owner?: string; all?: boolean }): Promise<ApiToken[]> {
    const self = accountOf(p);
    const others = q.all || (q.owner !== undefined && q.owner !== self.id);
    if (others && !isAdmin(p)) throw errors.forbidden("only an admin may list other accounts' tokens");
    const entries = await this.store.listApiTokens(q.all ? null : (q.owner ?? self.id));
    return entries.map(publicOf);
  }

  /** Deletes a token of the caller's (any, for an admin): refused from the next call on. */
  async revoke(p: Principal | null, id: string): Promise<void> {
    const self = accountOf(p);
    const entry = await this.store.getApiToken(id);
    // someone else's token is as unknown to a non-admin as one that does not exist
    if (!entry || (entry.owner.id !== self.id && !isAdmin(p)) || !(await this.store.deleteApiToken(id)))
      throw errors.notFound(`API token ${id} not found`);
    this.log.info({ token: id, owner: entry.owner.id, by: self.id }, 'API token revoked');
    await this.audit?.record(p!, 'token.revoke', null, 'ok', {
      token: id,
      name: entry.name,
      owner: entry.owner.id,
    });
  }
}

/** The audit trail as this service writes to it (AuditLog is one). */
export interface TokenAudit {
  record(
    who: Principal,
    action: 'token.create' | 'token.revoke',
    roomId: null,
    outcome: 'ok',
    detail: Record<string, string | null>,
  ): Promise<void>;
}

/** Only accounts have tokens: a room token (a participant) does not. */
function accountOf(p: Principal | null): AccountRef {
  if (!p?.account) throw errors.forbidden('API tokens belong to operator accounts');
  return p.account;
}

/** What the API shows of a token: everything but the digest. */
function publicOf(e: ApiTokenEntry): ApiToken {
  return {
    id: e.id,
    name: e.name,
    owner: e.owner,
    createdAt: e.createdAt,
    expiresAt: e.expiresAt,
    lastUsedAt: e.lastUsedAt,
  };
}
