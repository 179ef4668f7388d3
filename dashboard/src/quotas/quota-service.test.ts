import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountRef, QuotaLimits } from '@boxroom/contracts';
import { OPERATOR, principalOfAccount, type Principal } from '../auth/principal.js';
import { AppError } from '../errors.js';
import type { RoomRecord, RoomSpec } from '../rooms/room-driver.js';
import type { FileStateStore } from '../store/file-state-store.js';
import { recordingEntry } from '../store/state-store.suite.js';
import { tempFileStore } from '../testing/temp-file-store.js';
import { QuotaService } from './quota-service.js';

const ALICE: AccountRef = { id: 'alice', name: 'Alice', role: 'creator' };
const OPS: AccountRef = { id: 'ops', name: 'Ops', role: 'operator' };
const NONE: QuotaLimits = { roomsAtOnce: null, roomHoursPerDay: null, recordingBytes: null };
const T0 = Date.parse('2026-12-03T09:00:00Z');

const spec = (id: string, ownerId: string, createdAt: number, maxAgeS = 0): RoomSpec =>
  ({
    id,
    name: id,
    width: 1280,
    height: 720,
    fps: 15,
    app: 'terminal',
    createdAt,
    ownerId,
    timeouts: { maxAgeS, noViewersS: 0, noInputS: 0 },
  }) as RoomSpec;

/** How a test sees a refusal: the code and message, or 'ok'. */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof AppError) return `${err.code}: ${err.message}`;
    throw err;
  }
}

describe('QuotaService', () => {
  let store: FileStateStore;
  let dispose: () => Promise<void>;
  let records: RoomRecord[];
  let now: number;
  const service = (defaults: Partial<QuotaLimits>) =>
    new QuotaService({
      store,
      defaults: { ...NONE, ...defaults },
      rooms: async () => [...records],
      log: pino({ level: 'silent' }),
      now: () => now,
    });
  /** the driver's create: the room is listed once it resolves */
  const driverCreate = async (s: RoomSpec) => {
    const r: RoomRecord = { spec: s, status: 'starting', agentUrl: null };
    records.push(r);
    return r;
  };

  beforeEach(async () => {
    ({ store, dispose } = await tempFileStore());
    records = [];
    now = T0;
  });
  afterEach(() => dispose());

  it('admits two creates on the last slot one at a time: the second is refused while the first is created', async () => {
    const q = service({ roomsAtOnce: 1 });
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const first = q.admitRoom(principalOfAccount(ALICE), spec('r1', 'alice', now), async (s) => {
      await slow; // the driver is still creating: the room is not listed yet
      return driverCreate(s);
    });
    const second = q.admitRoom(principalOfAccount(ALICE), spec('r2', 'alice', now), driverCreate);
    expect(await outcome(second)).toBe(
      'quota_exceeded: quota exceeded: at most 1 room at once (1 running): delete one first',
    );
    release();
    expect(await outcome(first)).toBe('ok');
    expect(records.map((r) => r.spec.id)).toEqual(['r1']);
    // another creator's slot is its own
    const bob = principalOfAccount({ id: 'bob', name: 'Bob', role: 'creator' });
    expect(await outcome(q.admitRoom(bob, spec('r3', 'bob', now), driverCreate))).toBe('ok');
  });

  it('frees the slot and ends the ledger entry of a create that fails', async () => {
    const q = service({ roomsAtOnce: 1 });
    const failing = q.admitRoom(principalOfAccount(ALICE), spec('r1', 'alice', now), async () => {
      throw new Error('no room for you');
    });
    await expect(failing).rejects.toThrow('no room for you');
    expect(await store.listRoomUsage(0)).toEqual([
      { room: 'r1', owner: 'alice', startedAt: T0, endedAt: T0 },
    ]);
    expect(
      await outcome(q.admitRoom(principalOfAccount(ALICE), spec('r2', 'alice', now), driverCreate)),
    ).toBe('ok');
  });

  it("caps a new room's max age to today's hours neither used nor promised, and refuses once none are left", async () => {
    const q = service({ roomHoursPerDay: 1 });
    const p = principalOfAccount(ALICE);
    await q.admitRoom(p, spec('r1', 'alice', now, 1800), driverCreate);
    expect(records[0]!.spec.timeouts?.maxAgeS).toBe(1800);
    now = T0 + 20 * 60_000; // r1 ran 20 min and may run 10 more: 30 left
    await q.admitRoom(p, spec('r2', 'alice', now, 0), driverCreate);
    expect(records[1]!.spec.timeouts?.maxAgeS).toBe(30 * 60);
    expect(await outcome(q.admitRoom(p, spec('r3', 'alice', now), driverCreate))).toBe(
      "quota_exceeded: quota exceeded: the rest of today's room-hours (UTC) is promised to your running rooms " +
        'until their max age (1 h a day): shorten or delete one first',
    );
    now = T0 + 30 * 60_000; // r1 reached its max age
    records.shift();
    await q.roomEnded('r1');
    now = T0 + 50 * 60_000; // 30 + 30 minutes: the hour is spent
    expect(await outcome(q.admitRoom(p, spec('r3', 'alice', now), driverCreate))).toBe(
      "quota_exceeded: quota exceeded: today's room-hours (UTC) are used up (1 h a day): more after midnight UTC",
    );
    // the next UTC day starts afresh
    records = [];
    await q.roomEnded('r2');
    now = Date.parse('2026-12-04T00:10:00Z');
    expect(await outcome(q.admitRoom(p, spec('r4', 'alice', now), driverCreate))).toBe('ok');
  });

  it('shares the hours among creates admitted at once: their max ages never add up to more than the day', async () => {
    const q = service({ roomHoursPerDay: 2 });
    const p = principalOfAccount(ALICE);
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    // none is listed before all were admitted: the driver is still creating them
    const creates = ['r1', 'r2', 'r3'].map((id) =>
      outcome(
        q.admitRoom(p, spec(id, 'alice', now, 3600), async (s) => {
          await slow;
          return driverCreate(s);
        }),
      ),
    );
    await new Promise((r) => setTimeout(r, 20));
    release();
    expect(await Promise.all(creates)).toEqual([
      'ok',
      'ok',
      expect.stringMatching(/^quota_exceeded: quota exceeded: the rest of today's room-hours/),
    ]);
    expect(records.map((r) => r.spec.timeouts?.maxAgeS)).toEqual([3600, 3600]);
  });

  it("refuses a create while one of the creator's rooms runs with no max age (extended by an operator)", async () => {
    const live = new Map<string, number>();
    const q = new QuotaService({
      store,
      defaults: { ...NONE, roomHoursPerDay: 8 },
      rooms: async () => [...records],
      timeoutsOf: (s) => ({ ...s.timeouts!, maxAgeS: live.get(s.id) ?? s.timeouts!.maxAgeS }),
      log: pino({ level: 'silent' }),
      now: () => now,
    });
    const p = principalOfAccount(ALICE);
    await q.admitRoom(p, spec('r1', 'alice', now, 600), driverCreate);
    await q.admitExtend(OPERATOR, records[0]!.spec, { maxAgeS: 0, noViewersS: 0, noInputS: 0 }, async () =>
      live.set('r1', 0),
    );
    expect(await outcome(q.admitRoom(p, spec('r2', 'alice', now), driverCreate))).toBe(
      "quota_exceeded: quota exceeded: a room runs with no max age and may take all of today's room-hours " +
        '(8 h a day): give it a max age or delete it first',
    );
    // its creator gives it an end again (shorter than none: always allowed), and may create
    await q.admitExtend(p, records[0]!.spec, { maxAgeS: 3600, noViewersS: 0, noInputS: 0 }, async () =>
      live.set('r1', 3600),
    );
    await q.admitRoom(p, spec('r2', 'alice', now), driverCreate);
    expect(records[1]!.spec.timeouts?.maxAgeS).toBe(7 * 3600);
  });

  it("admits an extend of a creator's room within the owner's hours left, for its creator and its owner link", async () => {
    const q = service({ roomHoursPerDay: 2 });
    const alice = principalOfAccount(ALICE);
    const ownerLink: Principal = { role: 'owner', id: 'guest', name: 'guest', room: 'r1', token: 'x' };
    await q.admitRoom(alice, spec('r1', 'alice', now, 1800), driverCreate);
    await q.admitRoom(alice, spec('r2', 'alice', now, 1800), driverCreate);
    now = T0 + 10 * 60_000; // 20 min used, 40 promised: r1 may run 60 more minutes than its 30
    const extend = (p: Principal, maxAgeS: number) =>
      outcome(
        q.admitExtend(p, records[0]!.spec, { maxAgeS, noViewersS: 0, noInputS: 0 }, async () => {
          records[0] = {
            ...records[0]!,
            spec: { ...records[0]!.spec, timeouts: { maxAgeS, noViewersS: 0, noInputS: 0 } },
          };
        }),
      );
    for (const p of [alice, ownerLink]) {
      expect(await extend(p, 0)).toBe(
        "quota_exceeded: quota exceeded: maxAgeS 0 (no end) runs past the owner's room-hours left today (UTC) " +
          '(2 h a day): at most 5400 s for this room',
      );
      expect(await extend(p, 5401)).toMatch(/maxAgeS 5401 s runs past .* at most 5400 s for this room$/);
    }
    expect(await extend(ownerLink, 5400)).toBe('ok');
    expect(records[0]!.spec.timeouts?.maxAgeS).toBe(5400);
    // r1 took the rest: r2 may only keep what it has, or less
    expect(await outcome(q.admitRoom(alice, spec('r3', 'alice', now), driverCreate))).toMatch(/promised/);
    const r2 = records[1]!.spec;
    const r2To = (maxAgeS: number) =>
      outcome(q.admitExtend(alice, r2, { maxAgeS, noViewersS: 0, noInputS: 0 }, async () => undefined));
    expect(await r2To(1801)).toMatch(/at most 1800 s for this room$/);
    expect(await r2To(1800)).toBe('ok');
    expect(await r2To(600)).toBe('ok');
    // operators and admins are not limited
    expect(await extend(OPERATOR, 0)).toBe('ok');
    expect(await extend(principalOfAccount(OPS), 86_400)).toBe('ok');
  });

  it('leaves extends of rooms whose create was not counted for a creator, or whose owner has no hours limit, alone', async () => {
    const q = service({ roomHoursPerDay: 1 });
    const ownerLink: Principal = { role: 'owner', id: 'guest', name: 'guest', room: 'r1', token: 'x' };
    await q.admitRoom(OPERATOR, spec('r1', 'operator', now, 600), driverCreate);
    const off = { maxAgeS: 0, noViewersS: 0, noInputS: 0 };
    expect(await outcome(q.admitExtend(ownerLink, records[0]!.spec, off, async () => undefined))).toBe('ok');
    await q.admitRoom(principalOfAccount(ALICE), spec('r2', 'alice', now, 600), driverCreate);
    await q.set(OPERATOR, 'alice', { roomHoursPerDay: null });
    expect(
      await outcome(q.admitExtend(principalOfAccount(ALICE), records[1]!.spec, off, async () => undefined)),
    ).toBe('ok');
  });

  it('leaves admins, operators and the admin token alone: no limit, limits all null in their report', async () => {
    const q = service({ roomsAtOnce: 0, roomHoursPerDay: 0, recordingBytes: 0 });
    expect(await outcome(q.admitRoom(OPERATOR, spec('r1', 'operator', now), driverCreate))).toBe('ok');
    expect(await outcome(q.admitRoom(principalOfAccount(OPS), spec('r2', 'ops', now), driverCreate))).toBe(
      'ok',
    );
    expect(await store.listRoomUsage(0)).toEqual([]); // their rooms are in no ledger
    expect(await q.own(principalOfAccount(OPS))).toEqual({
      account: 'ops',
      limits: NONE,
      usage: { roomsAtOnce: 1, roomHoursPerDay: 0, recordingBytes: 0 },
    });
    expect(await q.own(OPERATOR)).toMatchObject({ account: 'operator', limits: NONE });
    expect(
      await outcome(q.admitRoom(principalOfAccount(ALICE), spec('r3', 'alice', now), driverCreate)),
    ).toMatch(/^quota_exceeded: quota exceeded: at most 0 rooms at once/);
  });

  it('reports usage; ends the entries of rooms gone while no dashboard ran (not those being created)', async () => {
    const q = service({ roomsAtOnce: 3, roomHoursPerDay: 10 });
    await q.admitRoom(principalOfAccount(ALICE), spec('r1', 'alice', now), driverCreate);
    await store.openRoomUsage({ room: 'young', owner: 'alice', startedAt: T0 + 119 * 60_000 });
    now = T0 + 2 * 3600_000;
    records = []; // r1 vanished (its dashboard was down when it ended)
    const report = await q.own(principalOfAccount(ALICE));
    expect(report.limits).toEqual({ roomsAtOnce: 3, roomHoursPerDay: 10, recordingBytes: null });
    // r1 counted until now (2 h); `young` may be a create in flight on another replica: still open
    expect(report.usage).toEqual({ roomsAtOnce: 0, roomHoursPerDay: 2.017, recordingBytes: 0 });
    expect(await store.listRoomUsage(0)).toEqual([
      { room: 'r1', owner: 'alice', startedAt: T0, endedAt: now },
      { room: 'young', owner: 'alice', startedAt: T0 + 119 * 60_000, endedAt: null },
    ]);
  });

  it("refuses a recording start at the creator's byte limit and says a running one is over it", async () => {
    const q = service({ recordingBytes: 1000 });
    await q.admitRoom(principalOfAccount(ALICE), spec('r1', 'alice', now), driverCreate);
    const r1 = records[0]!.spec;
    const kept = {
      ...recordingEntry('rec1', now, 'r1'),
      ownerId: 'alice',
      state: 'complete' as const,
      bytes: 600,
    };
    await store.insertRecording(kept);
    expect(await outcome(q.admitRecording(r1))).toBe('ok');
    const running = { ...recordingEntry('rec2', now, 'r1'), ownerId: 'alice', bytes: 300 };
    await store.insertRecording(running);
    expect(await q.recordingOver(running)).toBe(false);
    await store.updateRecording({ ...running, bytes: 400 });
    expect(await q.recordingOver(running)).toBe(true);
    expect(await outcome(q.admitRecording(r1))).toBe(
      'quota_exceeded: quota exceeded: recordings may keep 0.0 MiB (0.0 MiB kept): delete some first',
    );
    // a room of an uncapped owner (no ledger entry) records freely
    await q.admitRoom(OPERATOR, spec('r2', 'operator', now), driverCreate);
    expect(await outcome(q.admitRecording(records[1]!.spec))).toBe('ok');
    // an admin lifts alice's limit
    await q.set(OPERATOR, 'alice', { recordingBytes: null });
    expect(await outcome(q.admitRecording(r1))).toBe('ok');
  });

  it('lets admins only see and set accounts; absent keeps, null lifts', async () => {
    const q = service({ roomsAtOnce: 2, roomHoursPerDay: 4 });
    expect(await outcome(q.set(principalOfAccount(ALICE), 'alice', { roomsAtOnce: 9 }))).toMatch(
      /^forbidden/,
    );
    expect(await outcome(q.of(principalOfAccount(OPS), 'alice'))).toMatch(/^forbidden/);
    expect((await q.set(OPERATOR, 'alice', { roomsAtOnce: 5 })).limits).toEqual({
      roomsAtOnce: 5,
      roomHoursPerDay: 4,
      recordingBytes: null,
    });
    expect((await q.set(OPERATOR, 'alice', { roomHoursPerDay: null })).limits).toEqual({
      roomsAtOnce: 5,
      roomHoursPerDay: null,
      recordingBytes: null,
    });
    expect((await q.of(OPERATOR, 'alice')).limits.roomsAtOnce).toBe(5);
  });
});
