import type { Account } from '@boxroom/contracts';
import { expect, it } from 'vitest';
import type { ApiTokenEntry, StateStore } from './state-store.js';

const account = (id: string, at: string, role: Account['role'] = 'creator'): Account => ({
  id,
  name: `name of ${id}`,
  email: null,
  role,
  createdAt: at,
  lastSignInAt: at,
});

const token = (id: string, ownerId: string, at: string): ApiTokenEntry => ({
  id,
  name: `token ${id}`,
  owner: { id: ownerId, name: `name of ${ownerId}`, role: 'creator' },
  createdAt: at,
  expiresAt: null,
  lastUsedAt: null,
  digest: 'ab'.repeat(32),
});

/**
 * Accounts and API tokens of every StateStore (called inside defineStateStoreSuite's describe):
 * `stores()` gives this test's store and its peer (another replica on the same state, or the same one).
 */
export function defineAccountTests(
  stores: () => { store: StateStore; peer: StateStore; reopen: (s: StateStore) => Promise<StateStore> },
): void {
  it('accounts: made at the first sign-in, updated at the next (created stays), oldest first', async () => {
    const { store, peer, reopen } = stores();
    expect(await store.listAccounts()).toEqual([]);
    const t1 = '2026-01-01T10:00:00.000Z';
    const t2 = '2026-01-02T10:00:00.000Z';
    expect(await store.upsertAccount(account('oidc:a', t1))).toEqual(account('oidc:a', t1));
    await peer.upsertAccount(account('oidc:b', t1, 'admin'));
    const again = { ...account('oidc:a', t2, 'operator'), name: 'Alice', email: 'a@example.org' };
    expect(await peer.upsertAccount(again)).toEqual({ ...again, createdAt: t1 });
    const after = await reopen(store);
    expect(await after.listAccounts()).toEqual([{ ...again, createdAt: t1 }, account('oidc:b', t1, 'admin')]);
    expect(await after.getAccount('oidc:b')).toEqual(account('oidc:b', t1, 'admin'));
    expect(await after.getAccount('oidc:none')).toBeNull();
  });

  it('API tokens: by owner or all, touched, deleted on one replica and gone on the other', async () => {
    const { store, peer, reopen } = stores();
    const at = '2026-01-01T10:00:00.000Z';
    await store.insertApiToken(token('aaaaaaaaaaaa', 'oidc:a', at));
    await store.insertApiToken(token('bbbbbbbbbbbb', 'oidc:b', at));
    await peer.insertApiToken({
      ...token('cccccccccccc', 'oidc:a', at),
      expiresAt: '2027-01-01T00:00:00.000Z',
    });
    await expect(store.insertApiToken(token('aaaaaaaaaaaa', 'oidc:c', at))).rejects.toThrow();
    expect((await peer.listApiTokens('oidc:a')).map((t) => t.id)).toEqual(['aaaaaaaaaaaa', 'cccccccccccc']);
    expect((await peer.listApiTokens(null)).map((t) => t.id)).toEqual([
      'aaaaaaaaaaaa',
      'bbbbbbbbbbbb',
      'cccccccccccc',
    ]);
    await peer.touchApiToken('aaaaaaaaaaaa', '2026-01-01T11:00:00.000Z');
    await peer.touchApiToken('zzzzzzzzzzzz', '2026-01-01T11:00:00.000Z'); // unknown: nothing
    expect(await store.getApiToken('aaaaaaaaaaaa')).toEqual({
      ...token('aaaaaaaaaaaa', 'oidc:a', at),
      lastUsedAt: '2026-01-01T11:00:00.000Z',
    });
    // deleted by one replica, refused by the other at once (nothing cached)
    expect(await peer.deleteApiToken('bbbbbbbbbbbb')).toBe(true);
    expect(await peer.deleteApiToken('bbbbbbbbbbbb')).toBe(false);
    expect(await store.getApiToken('bbbbbbbbbbbb')).toBeNull();
    expect(await store.getApiToken('zzzzzzzzzzzz')).toBeNull();
    const reopened = await reopen(store);
    expect((await reopened.listApiTokens(null)).map((t) => [t.id, t.lastUsedAt, t.expiresAt])).toEqual([
      ['aaaaaaaaaaaa', '2026-01-01T11:00:00.000Z', null],
      ['cccccccccccc', null, '2027-01-01T00:00:00.000Z'],
    ]);
  });
}
