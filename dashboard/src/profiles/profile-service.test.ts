import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Principal } from '../auth/principal.js';
import type { RoomSpec } from '../rooms/room-driver.js';
import { MemoryProfiles } from '../testing/fake-driver.js';
import { tempFileStore } from '../testing/temp-file-store.js';
import type { StateStore } from '../store/state-store.js';
import { PROFILE_MEASURE_MS, PROFILE_ORPHAN_GRACE_MS, ProfileService } from './profile-service.js';

const spanning = (id: string, role: 'operator' | 'owner'): Principal => ({
  role,
  id,
  name: id,
  room: null,
  token: null,
});
const OPERATOR = spanning('operator', 'operator');
const ALICE = spanning('alice', 'owner');
const ROOM_TOKEN: Principal = { role: 'owner', id: 'alice', name: 'alice', room: 'r1', token: 'x' };

const spec = (id: string, ownerId: string, profile?: string, app: RoomSpec['app'] = 'browser'): RoomSpec => ({
  id,
  name: id,
  width: 640,
  height: 360,
  fps: 10,
  app,
  createdAt: 0,
  ownerId,
  ...(profile ? { profile } : {}),
});

describe('ProfileService', () => {
  let store: StateStore;
  let dispose: () => Promise<void>;
  let storage: MemoryProfiles;
  let now: number;
  let service: ProfileService;

  beforeEach(async () => {
    ({ store, dispose } = await tempFileStore());
    storage = new MemoryProfiles();
    now = 1_000_000;
    service = new ProfileService({ store, storage, log: pino({ level: 'silent' }), now: () => now });
  });
  afterEach(() => dispose());

  /** A room of `owner` that used the profile and ended. */
  const used = async (owner: string, name: string, room = `${owner}-${name}`) => {
    await service.take(spec(room, owner, name));
    storage.make({ owner, name });
    await service.release(spec(room, owner, name));
  };

  it("lists every owner's profiles to an operator and an account its own; none to a room token", async () => {
    await used('alice', 'work');
    await used('bob', 'work');
    await used('bob', 'play');
    expect((await service.list(OPERATOR)).map((p) => `${p.owner}/${p.name}`)).toEqual([
      'alice/work',
      'bob/play', // made at the same time: by owner, then name
      'bob/work',
    ]);
    expect((await service.list(ALICE)).map((p) => p.name)).toEqual(['work']);
    expect((await service.list(spanning('bob', 'owner'))).map((p) => p.name)).toEqual(['play', 'work']);
    await expect(service.list(ROOM_TOKEN)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(service.list(null)).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('deletes for the owner and operators: an account only its own, an operator says whose when names collide', async () => {
    await used('alice', 'work');
    await used('bob', 'work');
    await expect(service.delete(ALICE, 'work', 'bob')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(service.delete(ALICE, 'play')).rejects.toMatchObject({ code: 'not_found' });
    await expect(service.delete(OPERATOR, 'work')).rejects.toMatchObject({ code: 'bad_request' });
    await service.delete(OPERATOR, 'work', 'bob');
    expect(storage.has({ owner: 'bob', name: 'work' })).toBe(false);
    expect(storage.has({ owner: 'alice', name: 'work' })).toBe(true);
    // one owner left with that name: the operator need not say whose
    await service.delete(OPERATOR, 'work');
    expect(await service.list(OPERATOR)).toEqual([]);
    await used('alice', 'work');
    await service.delete(ALICE, 'work');
    expect(storage.has({ owner: 'alice', name: 'work' })).toBe(false);
  });

  it('refuses to delete a profile a room has mounted', async () => {
    await service.take(spec('r1', 'alice', 'work'));
    await expect(service.delete(ALICE, 'work')).rejects.toMatchObject({ code: 'profile_in_use' });
    expect((await service.list(ALICE))[0]?.inUseBy).toBe('r1');
  });

  it("keeps a profile per owner and name, and says which room's create took it", async () => {
    await service.take(spec('r2', 'alice', 'work'));
    await expect(service.take(spec('r3', 'alice', 'work'))).rejects.toMatchObject({ code: 'profile_in_use' });
    await service.take(spec('r4', 'bob', 'work')); // same name, another owner
    await expect(
      new ProfileService({ store, storage: null, log: pino({ level: 'silent' }) }).take(spec('r5', 'x', 'p')),
    ).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('frees the lease before the home is measured, then stores the measure', async () => {
    let measured!: (bytes: number) => void;
    storage.measure = () => new Promise<number>((resolve) => (measured = resolve));
    await service.take(spec('r1', 'alice', 'work'));
    await service.release(spec('r1', 'alice', 'work')); // does not wait for the measure
    expect((await service.list(ALICE))[0]).toMatchObject({ inUseBy: null, bytes: null });
    await service.take(spec('r2', 'alice', 'work')); // the next room need not wait either
    measured(4096);
    await service.settled();
    expect((await service.list(ALICE))[0]).toMatchObject({ inUseBy: 'r2', bytes: 4096 });
  });

  it('gives up on a measure that takes too long, and on one that fails, keeping the lease free', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      storage.measure = () => new Promise<number>(() => undefined);
      await service.take(spec('r1', 'alice', 'work'));
      await service.release(spec('r1', 'alice', 'work'));
      await vi.advanceTimersByTimeAsync(PROFILE_MEASURE_MS);
      await service.settled();
      expect((await service.list(ALICE))[0]).toMatchObject({ inUseBy: null, bytes: null });
    } finally {
      vi.useRealTimers();
    }
    storage.measure = () => Promise.reject(new Error('df failed'));
    await service.take(spec('r2', 'alice', 'work'));
    await service.release(spec('r2', 'alice', 'work'));
    await service.settled();
    expect((await service.list(ALICE))[0]).toMatchObject({ inUseBy: null, bytes: null });
  });

  it('frees the profile of a failed create only once the runtime has no such room', async () => {
    const fail = () => Promise.reject(new Error('start timed out'));
    // the engine never made it: freed at once
    await expect(service.holding(spec('gone', 'alice', 'a'), fail, async () => false)).rejects.toThrow(
      'start timed out',
    );
    expect((await service.list(ALICE))[0]?.inUseBy).toBeNull();
    // started anyway and its removal failed: the container still has the home mounted
    await expect(service.holding(spec('stuck', 'alice', 'a'), fail, async () => true)).rejects.toThrow();
    expect((await service.list(ALICE))[0]?.inUseBy).toBe('stuck');
    await expect(service.take(spec('next', 'alice', 'a'))).rejects.toMatchObject({ code: 'profile_in_use' });
    // a runtime that does not answer counts as there too
    const unsure = () => Promise.reject(new Error('engine hung'));
    await expect(service.holding(spec('unsure', 'alice', 'b'), fail, unsure)).rejects.toThrow(
      'start timed out',
    );
    expect((await service.list(ALICE))[1]?.inUseBy).toBe('unsure');
    // reconcile frees it once the room is gone
    now += PROFILE_ORPHAN_GRACE_MS;
    await service.reconcile(new Set());
    expect((await service.list(ALICE)).map((p) => p.inUseBy)).toEqual([null, null]);
  });

  it('frees leases of rooms that are gone once the grace has passed, never those of live rooms', async () => {
    await service.take(spec('live', 'alice', 'a'));
    await service.take(spec('crashed', 'alice', 'b'));
    storage.make({ owner: 'alice', name: 'b' });
    now += PROFILE_ORPHAN_GRACE_MS - 1;
    await service.reconcile(new Set(['live']));
    expect((await service.list(ALICE)).map((p) => p.inUseBy)).toEqual(['live', 'crashed']);
    now += 1;
    await service.reconcile(new Set(['live']));
    await service.settled();
    expect(await service.list(ALICE)).toEqual([
      expect.objectContaining({ name: 'a', inUseBy: 'live' }),
      expect.objectContaining({ name: 'b', inUseBy: null, bytes: 1024 }),
    ]);
  });
});
