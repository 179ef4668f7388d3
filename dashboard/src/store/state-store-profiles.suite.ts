import { expect, it } from 'vitest';
import type { ProfileLease } from './profile-entry.js';
import type { StateStore } from './state-store.js';

const lease = (owner: string, name: string, holder: string): ProfileLease => ({ owner, name, holder });

/**
 * The profile lease of every StateStore (called inside defineStateStoreSuite's describe): `stores()`
 * gives this test's store and its peer (another replica on the same state, or the same instance).
 */
export function defineProfileLeaseTests(
  stores: () => { store: StateStore; peer: StateStore; reopen: (s: StateStore) => Promise<StateStore> },
): void {
  it('profiles: one holder at a time, whichever replica asks; freed by its holder only', async () => {
    const { store, peer } = stores();
    expect(await store.listProfiles()).toEqual([]);
    expect(await store.takeProfile(lease('alice', 'work', 'room1'), 1000)).toBe(true);
    expect(await peer.takeProfile(lease('alice', 'work', 'room2'), 1001)).toBe(false);
    expect(await store.takeProfile(lease('alice', 'work', 'room1'), 1002)).toBe(true); // a retry of its holder
    // the same name of another owner is another profile
    expect(await peer.takeProfile(lease('bob', 'work', 'room2'), 1003)).toBe(true);
    expect(await peer.releaseProfile(lease('alice', 'work', 'room2'), 1004, 5)).toBe(false);
    expect(await peer.listProfiles()).toEqual([
      { owner: 'alice', name: 'work', inUseBy: 'room1', bytes: null, createdAt: 1000, lastUsedAt: 1002 },
      { owner: 'bob', name: 'work', inUseBy: 'room2', bytes: null, createdAt: 1003, lastUsedAt: 1003 },
    ]);
    expect(await store.releaseProfile(lease('alice', 'work', 'room1'), 2000, 4096)).toBe(true);
    expect(await store.releaseProfile(lease('alice', 'work', 'room1'), 2001, 1)).toBe(false); // released already
    expect(await peer.takeProfile(lease('alice', 'work', 'room3'), 3000)).toBe(true);
    // freed without a measure: the last one stays
    expect(await peer.releaseProfile(lease('alice', 'work', 'room3'), 4000, null)).toBe(true);
    expect((await store.listProfiles())[0]).toEqual({
      owner: 'alice',
      name: 'work',
      inUseBy: null,
      bytes: 4096,
      createdAt: 1000,
      lastUsedAt: 4000,
    });
  });

  it('profiles: a measure stored apart from the lease, whoever holds it; none for a profile that is gone', async () => {
    const { store, peer } = stores();
    await store.takeProfile(lease('o', 'p', 'room1'), 10);
    expect(await store.releaseProfile(lease('o', 'p', 'room1'), 20, null)).toBe(true);
    await peer.takeProfile(lease('o', 'p', 'room2'), 30); // the next room mounted it before the measure ended
    expect(await peer.setProfileBytes('o', 'p', 2048)).toBe(true);
    expect((await store.listProfiles())[0]).toMatchObject({ inUseBy: 'room2', bytes: 2048, lastUsedAt: 30 });
    expect(await store.setProfileBytes('o', 'other', 1)).toBe(false);
    expect((await peer.listProfiles()).map((e) => e.name)).toEqual(['p']);
  });

  it('profiles: exactly one of several rooms taking one at once gets it', async () => {
    const { store, peer } = stores();
    const rooms = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'];
    const won = await Promise.all(
      rooms.map((r, i) => (i % 2 ? peer : store).takeProfile(lease('o', 'p', r), 10)),
    );
    expect(won.filter(Boolean)).toHaveLength(1);
    expect((await store.listProfiles())[0]?.inUseBy).toBe(rooms[won.indexOf(true)]);
  });

  it('profiles: deleted only by their holder, and kept over a restart', async () => {
    const { store, peer, reopen } = stores();
    await store.takeProfile(lease('o', 'p', 'room1'), 10);
    expect(await peer.deleteProfile(lease('o', 'p', 'deleting'))).toBe(false);
    const again = await reopen(store);
    const other = peer === store ? again : peer;
    expect((await again.listProfiles()).map((e) => e.inUseBy)).toEqual(['room1']);
    expect(await again.releaseProfile(lease('o', 'p', 'room1'), 20, 7)).toBe(true);
    expect(await other.takeProfile(lease('o', 'p', 'deleting'), 30)).toBe(true);
    expect(await other.deleteProfile(lease('o', 'p', 'deleting'))).toBe(true);
    expect(await again.listProfiles()).toEqual([]);
    expect(await other.deleteProfile(lease('o', 'p', 'deleting'))).toBe(false);
  });
}
