import { expect, it } from 'vitest';
import type { StateStore } from './state-store.js';

/**
 * The quotas of every StateStore (called inside defineStateStoreSuite's describe): `stores()` gives
 * this test's store, its peer (another replica on the same state, or the same instance) and reopen.
 */
export function defineQuotaStoreTests(
  stores: () => { store: StateStore; peer: StateStore; reopen: (s: StateStore) => Promise<StateStore> },
): void {
  it('quota overrides: absent keeps, null lifts, a number replaces; per account; kept over a restart', async () => {
    const { store, peer, reopen } = stores();
    expect(await store.getQuotaOverrides('alice')).toEqual({});
    expect(await store.patchQuotaOverrides('alice', { roomsAtOnce: 2, recordingBytes: 1000 })).toEqual({
      roomsAtOnce: 2,
      recordingBytes: 1000,
    });
    expect(await peer.patchQuotaOverrides('alice', { recordingBytes: null, roomHoursPerDay: 3 })).toEqual({
      roomsAtOnce: 2,
      recordingBytes: null,
      roomHoursPerDay: 3,
    });
    expect(await peer.getQuotaOverrides('bob')).toEqual({});
    const again = await reopen(store);
    expect(await again.getQuotaOverrides('alice')).toEqual({
      roomsAtOnce: 2,
      recordingBytes: null,
      roomHoursPerDay: 3,
    });
  });

  it('quota overrides: two replicas patching one account at once lose neither write', async () => {
    const { store, peer } = stores();
    await Promise.all([
      store.patchQuotaOverrides('carol', { roomsAtOnce: 1 }),
      peer.patchQuotaOverrides('carol', { roomHoursPerDay: 5 }),
    ]);
    expect(await store.getQuotaOverrides('carol')).toEqual({ roomsAtOnce: 1, roomHoursPerDay: 5 });
  });

  it('room usage: opened once, closed once, listed by what overlaps since, pruned; kept over a restart', async () => {
    const { store, peer, reopen } = stores();
    expect(await store.openRoomUsage({ room: 'r1', owner: 'alice', startedAt: 1000 })).toBe(true);
    expect(await peer.openRoomUsage({ room: 'r1', owner: 'alice', startedAt: 1500 })).toBe(false);
    expect(await store.openRoomUsage({ room: 'r2', owner: 'bob', startedAt: 2000 })).toBe(true);
    expect(await store.openRoomUsage({ room: 'r3', owner: 'alice', startedAt: 3000 })).toBe(true);
    expect(await peer.closeRoomUsage('r1', 5000)).toBe(true);
    expect(await store.closeRoomUsage('r1', 6000)).toBe(false); // ended already: the first end stays
    expect(await store.closeRoomUsage('nope', 6000)).toBe(false);
    expect(await peer.closeRoomUsage('r2', 2500)).toBe(true);
    expect(await store.listRoomUsage(0)).toEqual([
      { room: 'r1', owner: 'alice', startedAt: 1000, endedAt: 5000 },
      { room: 'r2', owner: 'bob', startedAt: 2000, endedAt: 2500 },
      { room: 'r3', owner: 'alice', startedAt: 3000, endedAt: null },
    ]);
    // since 3000: r2 ended before, r1 after, r3 still runs
    expect((await peer.listRoomUsage(3000)).map((e) => e.room)).toEqual(['r1', 'r3']);
    expect(await store.pruneRoomUsage(4000)).toBe(1);
    const again = await reopen(store);
    expect((await again.listRoomUsage(0)).map((e) => e.room)).toEqual(['r1', 'r3']);
  });

  it('room usage: forgetting a room keeps its hours (they were spent)', async () => {
    const { store } = stores();
    await store.openRoomUsage({ room: 'gone', owner: 'alice', startedAt: 1000 });
    await store.closeRoomUsage('gone', 2000);
    await store.forgetRoom('gone');
    expect(await store.listRoomUsage(0)).toEqual([
      { room: 'gone', owner: 'alice', startedAt: 1000, endedAt: 2000 },
    ]);
  });
}
