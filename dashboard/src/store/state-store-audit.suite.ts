import { expect, it } from 'vitest';
import type { NewAuditEntry } from './audit-entry.js';
import type { StateStore } from './state-store.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');

export const auditEntry = (over: Partial<NewAuditEntry> = {}): NewAuditEntry => ({
  at: T0,
  actor: { id: 'alice', name: 'Alice', role: 'operator' },
  action: 'room.create',
  roomId: 'aaaaaaaaaa',
  outcome: 'ok',
  detail: { name: 'demo', width: 1280, locked: false, none: null },
  key: null,
  ...over,
});

/**
 * The audit trail of every StateStore (called inside defineStateStoreSuite's describe): `stores()`
 * gives this test's store and its peer (another replica on the same state, or the same instance).
 */
export function defineAuditTests(
  stores: () => { store: StateStore; peer: StateStore; reopen: (s: StateStore) => Promise<StateStore> },
): void {
  it('audit: appends in order across replicas, ids increasing, and reads back after a restart', async () => {
    const { store, peer, reopen } = stores();
    expect(await store.queryAudit({ limit: 10 })).toEqual([]);
    const a = await store.appendAudit(auditEntry());
    const b = await peer.appendAudit(auditEntry({ at: T0 + 1000, action: 'room.delete', detail: {} }));
    expect(a).toEqual({
      id: a!.id,
      at: '2026-01-01T00:00:00.000Z',
      actor: { id: 'alice', name: 'Alice', role: 'operator' },
      action: 'room.create',
      roomId: 'aaaaaaaaaa',
      outcome: 'ok',
      detail: { name: 'demo', width: 1280, locked: false, none: null },
    });
    expect(BigInt(b!.id)).toBeGreaterThan(BigInt(a!.id));
    const again = await reopen(store);
    expect(await again.queryAudit({ limit: 10 })).toEqual([a, b]);
    // a restarted store goes on counting up
    const c = await again.appendAudit(auditEntry({ roomId: null, action: 'operator.signin' }));
    expect(BigInt(c!.id)).toBeGreaterThan(BigInt(b!.id));
  });

  it('audit: one entry per key, whichever replica writes it, even at once', async () => {
    const { store, peer } = stores();
    const key = 'aaaaaaaaaa.control.3';
    const writes = await Promise.all(
      [store, peer, store, peer].map((s) => s.appendAudit(auditEntry({ action: 'control.change', key }))),
    );
    expect(writes.filter((w) => w !== null)).toHaveLength(1);
    expect(await store.appendAudit(auditEntry({ action: 'control.change', key }))).toBeNull();
    // entries without a key are all kept
    await store.appendAudit(auditEntry());
    await peer.appendAudit(auditEntry());
    expect(await peer.queryAudit({ limit: 10 })).toHaveLength(3);
  });

  it('audit: filters by room, actor, action, since and after; oldest first; at most limit', async () => {
    const { store, peer } = stores();
    const bob = { id: 'p123', name: 'Bob', role: 'participant' as const };
    const all = [
      await store.appendAudit(auditEntry({ at: T0 })),
      await store.appendAudit(auditEntry({ at: T0 + 10, actor: bob, action: 'participant.join' })),
      await store.appendAudit(auditEntry({ at: T0 + 20, roomId: 'bbbbbbbbbb' })),
      await store.appendAudit(auditEntry({ at: T0 + 30, actor: bob, action: 'control.change' })),
      await store.appendAudit(auditEntry({ at: T0 + 40, roomId: null, action: 'template.create' })),
    ];
    const ids = (es: Awaited<ReturnType<StateStore['queryAudit']>>) => es.map((e) => e.id);
    const id = (i: number) => all[i]!.id;
    expect(ids(await peer.queryAudit({ limit: 100 }))).toEqual([0, 1, 2, 3, 4].map(id));
    expect(ids(await peer.queryAudit({ room: 'aaaaaaaaaa', limit: 100 }))).toEqual([0, 1, 3].map(id));
    expect(ids(await peer.queryAudit({ actor: 'p123', limit: 100 }))).toEqual([1, 3].map(id));
    expect(ids(await peer.queryAudit({ action: 'room.create', limit: 100 }))).toEqual([0, 2].map(id));
    expect(ids(await peer.queryAudit({ sinceMs: T0 + 20, limit: 100 }))).toEqual([2, 3, 4].map(id));
    expect(ids(await peer.queryAudit({ afterId: id(1), limit: 2 }))).toEqual([2, 3].map(id));
    expect(
      ids(await peer.queryAudit({ actor: 'p123', room: 'aaaaaaaaaa', afterId: id(1), limit: 5 })),
    ).toEqual([id(3)]);
    expect(ids(await peer.queryAudit({ actor: 'nobody', limit: 5 }))).toEqual([]);
    expect(ids(await peer.queryAudit({ afterId: '9999999999999999999', limit: 5 }))).toEqual([]);
    // paging back: the newest matches before an id, oldest first
    expect(ids(await peer.queryAudit({ beforeId: '9999999999999999999', limit: 2 }))).toEqual([3, 4].map(id));
    expect(ids(await peer.queryAudit({ beforeId: id(3), limit: 2 }))).toEqual([1, 2].map(id));
    expect(ids(await peer.queryAudit({ beforeId: id(4), room: 'aaaaaaaaaa', limit: 5 }))).toEqual(
      [0, 1, 3].map(id),
    );
  });

  it('audit: prunes by age, then down to the newest keepMax; what is left survives a restart', async () => {
    const { store, peer, reopen } = stores();
    for (let i = 0; i < 6; i++) await store.appendAudit(auditEntry({ at: T0 + i * 1000, detail: { i } }));
    expect(await peer.pruneAudit(T0 + 2000, 0)).toBe(2); // i = 0, 1 are older
    expect(await peer.pruneAudit(0, 3)).toBe(1); // i = 2 goes: 3, 4, 5 stay
    expect(await peer.pruneAudit(T0, 3)).toBe(0);
    const again = await reopen(store);
    expect((await again.queryAudit({ limit: 10 })).map((e) => e.detail.i)).toEqual([3, 4, 5]);
    // appends go on after a prune, with ids above the kept ones
    const next = await again.appendAudit(auditEntry({ detail: { i: 6 } }));
    const kept = await again.queryAudit({ limit: 10 });
    expect(kept.map((e) => e.detail.i)).toEqual([3, 4, 5, 6]);
    expect(kept[3]).toEqual(next);
  });
}
