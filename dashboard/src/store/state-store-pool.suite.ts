import { expect, it } from 'vitest';
import type { PoolClaim } from './pool-claim-entry.js';
import type { StateStore } from './state-store.js';

/**
 * The warm pool's claims of every StateStore (called inside defineStateStoreSuite's describe): one
 * claim per room, whichever replica asks first; kept across a restart until dropped.
 */
export function definePoolClaimTests(
  stores: () => { store: StateStore; peer: StateStore; reopen: (s: StateStore) => Promise<StateStore> },
): void {
  const ann: PoolClaim = {
    room: 'p1',
    name: 'mine',
    ownerId: 'oidc:ann',
    createdAt: 1_000,
    record: 'always',
    recordingsVisibleTo: 'owners',
  };

  it('take a pooled room once: the second claim (any replica) is refused', async () => {
    const { store, peer } = stores();
    expect(await store.loadPoolClaims()).toEqual([]);
    const [a, b] = await Promise.all([
      store.claimPoolRoom(ann),
      peer.claimPoolRoom({ ...ann, ownerId: 'bob' }),
    ]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    expect(await store.claimPoolRoom(ann)).toBe(false);
    expect((await peer.loadPoolClaims()).map((c) => c.room)).toEqual(['p1']);
  });

  it('are kept across a restart until dropped', async () => {
    const { store, reopen } = stores();
    await store.claimPoolRoom(ann);
    await store.claimPoolRoom({ ...ann, room: 'p2' });
    await store.dropPoolClaim('p2');
    await store.dropPoolClaim('none');
    const again = await reopen(store);
    expect(await again.loadPoolClaims()).toEqual([ann]);
  });
}
