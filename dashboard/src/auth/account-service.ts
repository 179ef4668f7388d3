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

  async list(p: Principal | null): Promise<Account[]> {
    if (!isAdmin(p)) throw errors.forbidden('only an admin may list the accounts');
    return this.store.listAccounts();
  }
}
