import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileStateStore } from '../store/file-state-store.js';
import { tempFileStore } from '../testing/temp-file-store.js';
import { RightsService } from './rights-service.js';
import { until } from '../testing/until.js';

const log = pino({ level: 'silent' });
const ROOM = 'aaaaaaaaaa';
const claims = (sub: string, role: 'participant' | 'viewer' = 'participant', iat = 1000) => ({
  room: ROOM,
  sub,
  role,
  iat,
});

const refused = (svc: RightsService, c: ReturnType<typeof claims>) => {
  try {
    svc.check(c);
    return false;
  } catch {
    return true;
  }
};

describe('RightsService', () => {
  let store: FileStateStore;
  let dispose: () => Promise<void>;
  beforeEach(async () => ({ store, dispose } = await tempFileStore()));
  afterEach(() => dispose());

  it('a kick or revocation on one replica is refused on the other at once it hears of it', async () => {
    const nowMs = () => 1_000_500;
    const a = new RightsService(store, log, nowMs);
    const b = new RightsService(store, log, nowMs);
    await a.init();
    await b.init();
    await b.kick(ROOM, 'kim', 2000);
    // the replica that decided refuses at once; the other as soon as the change reaches it
    expect(refused(b, claims('kim'))).toBe(true);
    await until(() => refused(a, claims('kim')));
    expect(a.of(ROOM)).toEqual({ kicked: [{ participantId: 'kim', until: 2000 }], revokedBefore: {} });
    expect(refused(a, claims('ben'))).toBe(false);

    await a.revoke(ROOM, 'viewer');
    await until(() => refused(b, claims('val', 'viewer', 1000)));
    expect(b.minIat(ROOM, 'viewer')).toBe(1001);
    expect(refused(b, claims('val', 'viewer', 1001))).toBe(false);
    a.close();
    b.close();
  });

  it('keeps the later revocation when two replicas revoke, and drops kicks that ended', async () => {
    let now = 1_000_000;
    const a = new RightsService(store, log, () => now);
    await a.init();
    await a.kick(ROOM, 'old', 1005);
    now = 1_010_000;
    await a.revoke(ROOM, 'participant');
    const b = new RightsService(store, log, () => now - 5_000);
    await b.init();
    await b.revoke(ROOM, 'participant');
    expect(b.minIat(ROOM, 'participant')).toBe(1011);
    await a.kick(ROOM, 'new', 2000);
    expect((await store.loadRights())[ROOM]).toEqual({
      kicked: { new: 2000 },
      revokedBefore: { participant: 1011 },
    });
    await b.forget(ROOM);
    expect(b.of(ROOM)).toBeNull();
    await until(() => a.of(ROOM) === null);
    a.close();
    b.close();
  });
});
