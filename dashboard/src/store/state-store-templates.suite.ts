import { it, expect } from 'vitest';
import { seen } from './state-store-fixtures.js';
import type { StateStore, StoreChange } from './state-store.js';

/**
 * The templates of every StateStore (called inside defineStateStoreSuite's describe): `stores()` gives
 * this test's store, its peer (another replica on the same state, or the same instance) and reopen.
 */
export function defineTemplateStoreTests(
  stores: () => { store: StateStore; peer: StateStore; reopen: (s: StateStore) => Promise<StateStore> },
): void {
  const clock = { id: 'clock', name: 'Clock', app: 'command' as const, command: ['xclock', '-digital'] };
  const wiki = {
    id: 'wiki',
    name: 'Wiki',
    app: 'browser' as const,
    startUrl: 'https://wiki.example/',
    policies: { clipboard: { copyOut: false }, record: ['off' as const] },
  };
  it('are added once, listed in order, seen by the other replica and told to it', async () => {
    const { store, peer } = stores();
    const changes: StoreChange[] = [];
    const off = peer.onChange((c) => changes.push(c));
    expect(await store.loadTemplates()).toEqual([]);
    expect(await store.insertTemplate(wiki)).toBe(true);
    expect(await store.insertTemplate(clock)).toBe(true);
    expect(await peer.insertTemplate({ ...clock, name: 'another clock' })).toBe(false);
    await seen(changes, (c) => c.kind === 'templates' && c.room === 'clock');
    off();
    expect(await peer.loadTemplates()).toEqual([wiki, clock]);
  });

  it('are deleted, and read back after a restart', async () => {
    const { store, peer, reopen } = stores();
    await store.insertTemplate(clock);
    await store.insertTemplate(wiki);
    expect(await peer.deleteTemplate('clock')).toBe(true);
    expect(await store.deleteTemplate('clock')).toBe(false);
    const again = await reopen(store);
    expect(await again.loadTemplates()).toEqual([wiki]);
  });

  it('refuse the same id from two replicas at once: one wins', async () => {
    const { store, peer } = stores();
    const [a, b] = await Promise.all([
      store.insertTemplate(clock),
      peer.insertTemplate({ ...clock, name: 'B' }),
    ]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    expect(await store.loadTemplates()).toHaveLength(1);
  });
}
