import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FileStateStore } from '../store/file-state-store.js';
import { tempFileStore } from '../testing/temp-file-store.js';
import { until } from '../testing/until.js';
import { InviteService } from './invite-service.js';

const log = pino({ level: 'silent' });
const key = Buffer.alloc(32, 7);

describe('InviteService', () => {
  let store: FileStateStore;
  let dispose: () => Promise<void>;
  beforeEach(async () => ({ store, dispose } = await tempFileStore()));
  afterEach(() => dispose());

  /** Two replicas' invite services over the one store. */
  async function twoReplicas(): Promise<[InviteService, InviteService]> {
    const a = new InviteService(key, store, log);
    const b = new InviteService(key, store, log);
    await a.init();
    await b.init();
    return [a, b];
  }

  it('derives a distinct secret per room and role, and matches it back', async () => {
    const svc = new InviteService(key, store, log);
    await svc.init();
    const secrets = new Set<string>();
    for (const room of ['aaaaaaaaaa', 'bbbbbbbbbb']) {
      for (const role of ['owner', 'participant', 'viewer'] as const) {
        const s = svc.secret(room, role);
        expect(s).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(svc.match(room, s)).toBe(role);
        secrets.add(s);
      }
    }
    expect(secrets.size).toBe(6);
    expect(svc.match('bbbbbbbbbb', svc.secret('aaaaaaaaaa', 'owner'))).toBeNull();
    expect(svc.match('aaaaaaaaaa', 'nope')).toBeNull();
    expect(svc.match('aaaaaaaaaa', '')).toBeNull();
  });

  it('depends on the key', async () => {
    const a = new InviteService(key, store, log);
    const b = new InviteService(Buffer.alloc(32, 8), store, log);
    expect(a.secret('aaaaaaaaaa', 'viewer')).not.toBe(b.secret('aaaaaaaaaa', 'viewer'));
  });

  it('revoking a role kills its old secret only, and survives a restart', async () => {
    const svc = new InviteService(key, store, log);
    await svc.init();
    const oldViewer = svc.secret('aaaaaaaaaa', 'viewer');
    const participant = svc.secret('aaaaaaaaaa', 'participant');
    await svc.revoke('aaaaaaaaaa', 'viewer');
    // this replica's copy is current as soon as revoke() returns (the links it hands out next)
    expect(svc.match('aaaaaaaaaa', oldViewer)).toBeNull();
    expect(svc.match('aaaaaaaaaa', participant)).toBe('participant');
    const newViewer = svc.secret('aaaaaaaaaa', 'viewer');
    expect(newViewer).not.toBe(oldViewer);

    const restarted = new InviteService(key, store, log);
    await restarted.init();
    expect(restarted.match('aaaaaaaaaa', newViewer)).toBe('viewer');
    expect(restarted.match('aaaaaaaaaa', oldViewer)).toBeNull();
    // nothing secret in the store: generations only
    expect(await store.loadInviteGenerations()).toEqual({ aaaaaaaaaa: { viewer: 1 } });
  });

  it('a revocation on one replica refuses the old link on the other', async () => {
    const [a, b] = await twoReplicas();
    const old = b.secret('aaaaaaaaaa', 'participant');
    await a.revoke('aaaaaaaaaa', 'participant');
    await until(() => b.match('aaaaaaaaaa', old) === null);
    expect(b.secret('aaaaaaaaaa', 'participant')).toBe(a.secret('aaaaaaaaaa', 'participant'));
    // both revoking at once: each moves past the links it knew, neither undoes the other
    await Promise.all([a.revoke('aaaaaaaaaa', 'viewer'), b.revoke('aaaaaaaaaa', 'viewer')]);
    await until(
      () => a.generation('aaaaaaaaaa', 'viewer') === 2 && b.generation('aaaaaaaaaa', 'viewer') === 2,
    );
    a.close();
    b.close();
  });

  it('a revocation answered after a later one of another replica keeps the later generation', async () => {
    const [a, b] = await twoReplicas();
    // b's bump is written first (generation 1), but its answer is held back until a's (2) is in b's copy
    const bump = store.bumpInviteGeneration.bind(store);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let written = false;
    vi.spyOn(store, 'bumpInviteGeneration').mockImplementationOnce(async (room, role) => {
      const generation = await bump(room, role);
      written = true;
      await held;
      return generation;
    });
    const revokedOnB = b.revoke('aaaaaaaaaa', 'viewer');
    await until(() => written);
    await a.revoke('aaaaaaaaaa', 'viewer');
    await until(() => b.generation('aaaaaaaaaa', 'viewer') === 2);
    release();
    await revokedOnB;
    expect(b.generation('aaaaaaaaaa', 'viewer')).toBe(2);
    a.close();
    b.close();
  });

  it('a change announced while the store is away is picked up once it answers', async () => {
    const [a, b] = await twoReplicas();
    // the store goes away as the change is announced: b keeps its copy and tries again
    const away = vi.spyOn(store, 'loadInviteGenerations').mockRejectedValue(new Error('connection refused'));
    await a.revoke('aaaaaaaaaa', 'owner');
    await until(() => away.mock.calls.length > 0);
    expect(b.generation('aaaaaaaaaa', 'owner')).toBe(0);
    away.mockRestore();
    await until(() => b.generation('aaaaaaaaaa', 'owner') === 1);
    a.close();
    b.close();
  });

  it('forgets a deleted room', async () => {
    const svc = new InviteService(key, store, log);
    await svc.init();
    await svc.revoke('aaaaaaaaaa', 'owner');
    await svc.forget('aaaaaaaaaa');
    expect(svc.generation('aaaaaaaaaa', 'owner')).toBe(0);
    expect(await store.loadInviteGenerations()).toEqual({});
  });
});
