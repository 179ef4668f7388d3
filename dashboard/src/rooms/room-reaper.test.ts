import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ControlChange, ResolvedRoomTimeouts, RoomExpiry } from '@boxroom/contracts';
import type { AgentState } from '@boxroom/contracts';
import type { RoomRecord, RoomStatus } from './room-driver.js';
import { RoomReaper, type ReapableRooms, type StateListener } from './room-reaper.js';

const NOW = 10_000_000;
const TIMED: ResolvedRoomTimeouts = { maxAgeS: 0, noViewersS: 60, noInputS: 0 };

const record = (
  id: string,
  status: RoomStatus = 'ready',
  timeouts: ResolvedRoomTimeouts = TIMED,
  createdAt = NOW - 1000,
): RoomRecord => ({
  spec: {
    id,
    name: id,
    width: 640,
    height: 480,
    fps: 15,
    app: 'terminal',
    createdAt,
    ownerId: null,
    timeouts,
  },
  status,
  agentUrl: status === 'failed' ? null : `http://agent-${id}`,
});

const state = (expired: RoomExpiry | null = null, controlChanges: ControlChange[] = []): AgentState => ({
  control: { seq: 0, holder: null, queue: [], locked: false },
  participants: [],
  viewers: 0,
  expired,
  controlChanges,
});

/** A fake of the RoomManager side: rooms in a map, agents answering from `answers`. */
class FakeRooms implements ReapableRooms {
  readonly rooms = new Map<string, RoomRecord>();
  readonly answers = new Map<string, AgentState | Error>();
  readonly asked: Array<[string, number]> = [];
  readonly expired: Array<[string, RoomExpiry['reason'] | 'failed']> = [];
  inFlight = 0;
  maxInFlight = 0;
  failExpire = false;

  constructor(records: RoomRecord[]) {
    for (const r of records) this.rooms.set(r.spec.id, r);
  }
  async records() {
    return [...this.rooms.values()];
  }
  async observe(r: RoomRecord, since: number) {
    this.asked.push([r.spec.id, since]);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((res) => setTimeout(res, 5));
    this.inFlight -= 1;
    const a = this.answers.get(r.spec.id) ?? state();
    if (a instanceof Error) throw a;
    return a;
  }
  async expire(id: string, e: RoomExpiry) {
    if (this.failExpire) throw new Error('engine said no');
    this.expired.push([id, e.reason]);
    this.rooms.delete(id);
  }
  async removeFailed(id: string) {
    this.expired.push([id, 'failed']);
    this.rooms.delete(id);
  }
}

function reaper(rooms: FakeRooms, listener?: StateListener, now = () => NOW) {
  return new RoomReaper({
    rooms,
    log: pino({ level: 'silent' }),
    pollMs: 10,
    listener,
    now,
    failedGraceMs: 60_000,
  });
}

describe('RoomReaper', () => {
  it('deletes rooms whose agent says expired, and only those', async () => {
    const rooms = new FakeRooms([record('a'), record('b'), record('c')]);
    rooms.answers.set('b', state({ reason: 'no-viewers', at: NOW }));
    await reaper(rooms).sweep();
    expect(rooms.expired).toEqual([['b', 'no-viewers']]);
    expect([...rooms.rooms.keys()]).toEqual(['a', 'c']);
  });

  it('asks only ready rooms with a timeout (without webhooks), never starting or stopping ones', async () => {
    const rooms = new FakeRooms([
      record('on'),
      record('off', 'ready', { maxAgeS: 0, noViewersS: 0, noInputS: 0 }),
      record('starting', 'starting'),
      record('stopping', 'stopping'),
    ]);
    await reaper(rooms).sweep();
    expect(rooms.asked.map(([id]) => id)).toEqual(['on']);
  });

  it('re-tells every ready room its kicks and revocations on each sweep (a restarted agent forgot)', async () => {
    const rooms = new FakeRooms([
      record('timed'),
      record('untimed', 'ready', { maxAgeS: 0, noViewersS: 0, noInputS: 0 }),
      record('starting', 'starting'),
      record('failed', 'failed'),
    ]);
    const synced: string[] = [];
    const r = new RoomReaper({
      rooms,
      log: pino({ level: 'silent' }),
      pollMs: 10,
      now: () => NOW,
      rights: { sync: async (rec) => synced.push(rec.spec.id) },
    });
    await r.sweep();
    await r.sweep();
    expect(synced.sort()).toEqual(['timed', 'timed', 'untimed', 'untimed']);
  });

  it('applies the max age of a failed room itself (its agent cannot answer)', async () => {
    const rooms = new FakeRooms([
      record('old', 'failed', { maxAgeS: 60, noViewersS: 0, noInputS: 0 }, NOW - 61_000),
      record('young', 'failed', { maxAgeS: 60, noViewersS: 0, noInputS: 0 }, NOW - 59_000),
    ]);
    await reaper(rooms).sweep();
    expect(rooms.expired).toEqual([['old', 'max-age']]);
  });

  it('goes by the live timeouts (an extend) over the created ones', async () => {
    const off = { maxAgeS: 0, noViewersS: 0, noInputS: 0 };
    const rooms = new FakeRooms([
      // failed past its created max age, but extended: stays (until the grace period)
      record('extended', 'failed', { ...off, maxAgeS: 60 }, NOW - 61_000),
      // created without timeouts, given one since: its agent is asked now
      record('timed-since', 'ready', off),
      record('untouched', 'ready', off),
    ]);
    const live: Record<string, ResolvedRoomTimeouts> = {
      extended: { ...off, maxAgeS: 3600 },
      'timed-since': { ...off, noInputS: 600 },
    };
    const r = new RoomReaper({
      rooms,
      log: pino({ level: 'silent' }),
      pollMs: 10,
      now: () => NOW,
      failedGraceMs: 60_000,
      timeouts: (rec) => live[rec.spec.id] ?? rec.spec.timeouts!,
    });
    await r.sweep();
    expect(rooms.expired).toEqual([]);
    expect(rooms.asked.map(([id]) => id)).toEqual(['timed-since']);
    // without the live ones, the created max age holds
    await reaper(rooms).sweep();
    expect(rooms.expired).toEqual([['extended', 'max-age']]);
  });

  it('removes a room that stayed failed for the grace period, whatever its timeouts (none here)', async () => {
    const off = { maxAgeS: 0, noViewersS: 0, noInputS: 0 };
    const rooms = new FakeRooms([record('dead', 'failed', off), record('flaky', 'failed', off)]);
    let now = NOW;
    const r = reaper(rooms, undefined, () => now);
    await r.sweep();
    now += 30_000;
    // flaky comes back (an unhealthy container that recovered): its failure clock starts again
    rooms.rooms.set('flaky', record('flaky', 'ready', off));
    await r.sweep();
    expect(rooms.expired).toEqual([]);
    now += 29_000;
    rooms.rooms.set('flaky', record('flaky', 'failed', off));
    await r.sweep();
    expect(rooms.expired).toEqual([]);
    now += 1_000;
    await r.sweep();
    expect(rooms.expired).toEqual([['dead', 'failed']]);
    now += 58_000;
    await r.sweep();
    expect(rooms.expired).toEqual([['dead', 'failed']]);
    now += 1_000;
    await r.sweep();
    expect(rooms.expired).toEqual([
      ['dead', 'failed'],
      ['flaky', 'failed'],
    ]);
  });

  it('an agent that does not answer is asked again next time, and the others still are', async () => {
    const rooms = new FakeRooms([record('a'), record('b')]);
    rooms.answers.set('a', new Error('ECONNREFUSED'));
    rooms.answers.set('b', state({ reason: 'no-input', at: NOW }));
    const r = reaper(rooms);
    await r.sweep();
    expect(rooms.expired).toEqual([['b', 'no-input']]);
    rooms.answers.set('a', state({ reason: 'max-age', at: NOW }));
    await r.sweep();
    expect(rooms.expired).toEqual([
      ['b', 'no-input'],
      ['a', 'max-age'],
    ]);
  });

  it('a failed delete is retried on the next sweep', async () => {
    const rooms = new FakeRooms([record('a')]);
    rooms.answers.set('a', state({ reason: 'no-viewers', at: NOW }));
    rooms.failExpire = true;
    const r = reaper(rooms);
    await r.sweep();
    expect(rooms.rooms.has('a')).toBe(true);
    rooms.failExpire = false;
    await r.sweep();
    expect(rooms.expired).toEqual([['a', 'no-viewers']]);
  });

  it('asks a bounded number of agents at once, and concurrent sweeps share one pass', async () => {
    const rooms = new FakeRooms(Array.from({ length: 12 }, (_, i) => record(`r${i}`)));
    const r = reaper(rooms);
    await Promise.all([r.sweep(), r.sweep()]);
    expect(rooms.asked).toHaveLength(12);
    expect(rooms.maxInFlight).toBe(4);
  });

  it('feeds lease changes to an active listener, asking from its last seq, for rooms without timeouts too', async () => {
    const rooms = new FakeRooms([record('a', 'ready', { maxAgeS: 0, noViewersS: 0, noInputS: 0 })]);
    const relayed: Array<[string, number[]]> = [];
    const forgotten: string[] = [];
    const listener: StateListener = {
      active: true,
      since: () => 7,
      relay: (room, changes) => void relayed.push([room, changes.map((c) => c.seq)]),
      forget: (room) => void forgotten.push(room),
    };
    const change = { seq: 8, at: 1, reason: 'take', by: 'op', state: state().control } as ControlChange;
    rooms.answers.set('a', state(null, [change]));
    await reaper(rooms, listener).sweep();
    expect(rooms.asked).toEqual([['a', 7]]);
    expect(relayed).toEqual([['a', [8]]]);
  });

  it('runs on its own every pollMs until stopped', async () => {
    const rooms = new FakeRooms([record('a')]);
    const r = reaper(rooms);
    r.start();
    await new Promise((res) => setTimeout(res, 100));
    await r.stop();
    const n = rooms.asked.length;
    expect(n).toBeGreaterThanOrEqual(2);
    await new Promise((res) => setTimeout(res, 50));
    expect(rooms.asked.length).toBe(n);
  });

  it('keep-alive: asks every ready room, timeouts or not, so that none goes longer than keepAliveMs unasked', async () => {
    let now = NOW;
    const off = { maxAgeS: 0, noViewersS: 0, noInputS: 0 };
    const rooms = new FakeRooms([record('quiet', 'ready', off), record('starting', 'starting', off)]);
    const r = new RoomReaper({
      rooms,
      log: pino({ level: 'silent' }),
      pollMs: 5_000,
      keepAliveMs: 150_000,
      now: () => now,
    });
    const askedAt: number[] = [];
    // sweeps every pollMs over 20 minutes of fake time
    for (; now <= NOW + 1_200_000; now += 5_000) {
      const before = rooms.asked.length;
      await r.sweep();
      if (rooms.asked.length > before) askedAt.push(now);
    }
    expect(rooms.asked.every(([id]) => id === 'quiet')).toBe(true);
    expect(askedAt[0]).toBe(NOW);
    const gaps = askedAt.slice(1).map((t, i) => t - askedAt[i]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(150_000);
    // and not much more often than needed
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(140_000);
  });

  it('keep-alive: an agent that did not answer is asked again at the next sweep', async () => {
    let now = NOW;
    const rooms = new FakeRooms([record('a', 'ready', { maxAgeS: 0, noViewersS: 0, noInputS: 0 })]);
    rooms.answers.set('a', new Error('busy'));
    const r = new RoomReaper({
      rooms,
      log: pino({ level: 'silent' }),
      pollMs: 5_000,
      keepAliveMs: 150_000,
      now: () => now,
    });
    await r.sweep();
    now += 5_000;
    await r.sweep();
    expect(rooms.asked).toHaveLength(2);
  });

  it('keep-alive shorter than pollMs: the sweeps come that often', async () => {
    const rooms = new FakeRooms([record('a', 'ready', { maxAgeS: 0, noViewersS: 0, noInputS: 0 })]);
    const r = new RoomReaper({ rooms, log: pino({ level: 'silent' }), pollMs: 600_000, keepAliveMs: 20 });
    r.start();
    await new Promise((res) => setTimeout(res, 150));
    await r.stop();
    expect(rooms.asked.length).toBeGreaterThanOrEqual(2);
  });

  it('tells the profiles which rooms the runtime lists each sweep; a failure there stops nothing', async () => {
    const rooms = new FakeRooms([record('a'), record('b', 'failed')]);
    const seen: string[][] = [];
    const r = new RoomReaper({
      rooms,
      log: pino({ level: 'silent' }),
      pollMs: 1000,
      now: () => NOW,
      profiles: {
        reconcile: async (live) => {
          seen.push([...live].sort());
          throw new Error('store down');
        },
      },
    });
    rooms.answers.set('a', state({ reason: 'no-viewers', at: NOW }));
    await r.sweep();
    expect(seen).toEqual([['a', 'b']]);
    expect(rooms.expired).toContainEqual(['a', 'no-viewers']);
  });
});
