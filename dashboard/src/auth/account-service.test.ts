import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { tempFileStore } from '../testing/temp-file-store.js';
import { AccountService } from './account-service.js';
import { ApiTokenService } from './api-token-service.js';
import { principalOfAccount } from './principal.js';

const log = pino({ level: 'silent' });

describe('AccountService', () => {
  it("revokes every API token of an account the provider vouches for but no rule admits any more, and no one else's", async () => {
    const { store, dispose } = await tempFileStore();
    try {
      const accounts = new AccountService(store, log);
      const tokens = new ApiTokenService(store, log);
      const ann = await accounts.signedIn({ id: 'oidc:ann', name: 'Ann', email: null, role: 'admin' });
      const bob = await accounts.signedIn({ id: 'oidc:bob', name: 'Bob', email: null, role: 'creator' });
      const a1 = await tokens.create(principalOfAccount(ann), { name: 'ci' });
      await tokens.create(principalOfAccount(ann), { name: 'laptop' });
      const b1 = await tokens.create(principalOfAccount(bob), { name: 'ci' });
      expect(await tokens.resolve(a1.secret)).toMatchObject({ id: 'oidc:ann', role: 'admin' });

      expect(await accounts.lostRole('oidc:ann')).toBe(2);
      expect(await tokens.resolve(a1.secret)).toBeNull();
      expect(await tokens.resolve(b1.secret)).toMatchObject({ id: 'oidc:bob' });
      // someone who never signed in has nothing to lose
      expect(await accounts.lostRole('oidc:nobody')).toBe(0);
    } finally {
      await dispose();
    }
  });
});
