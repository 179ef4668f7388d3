import type { Account, AccountRef, OperatorRole } from '@boxroom/contracts';
import { errors } from '../errors.js';
import type { Logger } from '../logger.js';
import type { StateStore } from '../store/state-store.js';
import { isAdmin, type Principal } from './principal.js';

/** Who the provider said signed in (oidc/oidc-service.ts makes it of the claims). */
export interface SignedInPerson {
  id: string;
  name: string;
  email: string | null;
  role: OperatorRole;
}

/** Operator accounts: made or updated at each sign-in, listed for admins. */
export class AccountService {
  constructor(
    private readonly store: StateStore,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async signedIn(person: SignedInPerson): Promise<AccountRef> {
    const at = new Date(this.now()).toISOString();
    const a = await this.store.upsertAccount({ ...person, createdAt: at, lastSignInAt: at });
    this.log.info({ account: a.id, role: a.role }, 'account signed in');
    return { id: a.id, name: a.name, role: a.role };
  }

  /**
   * The provider vouched for a person whom no role rule admits any more: an account they had keeps
   * no personal API token (those would otherwise go on acting with the role of their last sign-in).
   * Answers how many were revoked.
   */
  async lostRole(id: string): Promise<number> {
    if (!(await this.store.getAccount(id))) return 0;
    const tokens = await this.store.listApiTokens(id);
    for (const t of tokens) await this.store.deleteApiToken(t.id);
    if (tokens.length)
      this.log.info(
        { account: id, tokens: tokens.length },
        'API tokens of an account without a role revoked',
      );
    return tokens.length;
  }

  async list(p: Principal | null): Promise<Account[]> {
    if (!isAdmin(p)) throw errors.forbidden('only an admin may list the accounts');
    return this.store.listAccounts();
  }
}
