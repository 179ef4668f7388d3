import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OPERATOR, principalOfAccount, type Principal } from '../auth/principal.js';
import { AppError, errors } from '../errors.js';
import type { FileStateStore } from '../store/file-state-store.js';
import { tempFileStore } from '../testing/temp-file-store.js';
import { actorOf } from './audit-actor.js';
import { cleanDetail } from './audit-detail.js';
import { AuditLog } from './audit-log.js';

const roomToken = (role: Principal['role'] = 'participant'): Principal => ({
  role,
  id: 'pabc',
  name: 'Ann',
  room: 'aaaaaaaaaa',
  token: 'a.room.token',
});
const carol = principalOfAccount({ id: 'carol', name: 'Carol', role: 'creator' });
const olga = principalOfAccount({ id: 'olga', name: 'Olga', role: 'operator' });

describe('actorOf', () => {
  it('names accounts by account, room tokens by participant and room role, and the system', () => {
    expect(actorOf(OPERATOR)).toEqual({ id: 'operator', name: 'admin', role: 'admin' });
    expect(actorOf(carol)).toEqual({ id: 'carol', name: 'Carol', role: 'creator' });
    expect(actorOf(roomToken('owner'))).toEqual({ id: 'pabc', name: 'Ann', role: 'owner' });
    expect(actorOf('system')).toEqual({ id: 'system', name: 'boxroom', role: 'system' });
    expect(actorOf({ id: 'p1', name: 'Bob', role: 'viewer' })).toEqual({
      id: 'p1',
      name: 'Bob',
      role: 'viewer',
    });
  });
});

describe('cleanDetail', () => {
  it('keeps flat facts and drops credentials, URL queries, bad keys and undefined', () => {
    expect(
      cleanDetail({
        name: 'demo',
        width: 1280,
        locked: false,
        none: null,
        skipped: undefined,
        token: 'eyJ.secret',
        inviteSecret: 'abc',
        recordingSig: 'x',
        'bad key': 1,
        startUrl: 'https://user:pw@example.com/app?session=s3cret#frag',
        long: 'x'.repeat(600),
        nan: Number.NaN,
      }),
    ).toEqual({
      name: 'demo',
      width: 1280,
      locked: false,
      none: null,
      startUrl: 'https://example.com/app',
      long: 'x'.repeat(512),
    });
  });
});

describe('AuditLog', () => {
  let store: FileStateStore;
  let dispose: () => Promise<void>;
  let lines: string[];
  let audit: AuditLog;
  let now: number;

  beforeEach(async () => {
    ({ store, dispose } = await tempFileStore());
    lines = [];
    now = Date.parse('2026-02-01T10:00:00.000Z');
    audit = new AuditLog(
      store,
      pino({ level: 'info' }, { write: (l: string) => void lines.push(l) }),
      () => now,
    );
  });
  afterEach(() => dispose());

  it('records an entry, stored before record() resolves, once per key', async () => {
    await audit.record(olga, 'room.delete', 'aaaaaaaaaa', 'ok', { name: 'demo' });
    await audit.record('system', 'room.expire', 'aaaaaaaaaa', 'ok', { reason: 'idle' }, 'aaaaaaaaaa.expire');
    await audit.record('system', 'room.expire', 'aaaaaaaaaa', 'ok', { reason: 'idle' }, 'aaaaaaaaaa.expire');
    const entries = await store.queryAudit({ limit: 10 });
    expect(entries).toMatchObject([
      {
        at: '2026-02-01T10:00:00.000Z',
        actor: { id: 'olga', name: 'Olga', role: 'operator' },
        action: 'room.delete',
        roomId: 'aaaaaaaaaa',
        outcome: 'ok',
        detail: { name: 'demo' },
      },
      { actor: { id: 'system', role: 'system' }, action: 'room.expire', detail: { reason: 'idle' } },
    ]);
    expect(entries).toHaveLength(2);
  });

  it('never fails the action: a store that refuses leaves the entry in the log as an error', async () => {
    const failing = new AuditLog(
      {
        appendAudit: () => Promise.reject(new Error('disk full')),
        queryAudit: () => Promise.resolve([]),
      },
      pino({ level: 'info' }, { write: (l: string) => void lines.push(l) }),
    );
    await expect(
      failing.record(carol, 'room.create', 'aaaaaaaaaa', 'ok', { token: 'x' }),
    ).resolves.toBeUndefined();
    const logged = lines.map(
      (l) => JSON.parse(l) as { msg: string; audit: unknown; err: { message: string } },
    );
    expect(logged[0]).toMatchObject({
      msg: 'audit entry not stored',
      err: { message: 'disk full' },
      audit: { action: 'room.create', actor: { id: 'carol' }, detail: {} },
    });
  });

  it('records refusals for rights and quotas as denied, other errors not, and rethrows each', async () => {
    const quota = new AppError('forbidden', 'x');
    Object.defineProperty(quota, 'code', { value: 'quota_exceeded' });
    await expect(
      audit.guard(carol, 'room.delete', 'aaaaaaaaaa', () => {
        throw errors.forbidden('not yours');
      }),
    ).rejects.toThrow('not yours');
    await expect(audit.refused(carol, 'room.create', null, quota)).rejects.toBe(quota);
    await expect(
      audit.refused(carol, 'room.delete', 'bbbbbbbbbb', errors.roomNotFound('bbbbbbbbbb')),
    ).rejects.toThrow(/not found/);
    await expect(audit.refused(null, 'room.delete', 'bbbbbbbbbb', errors.forbidden())).rejects.toThrow();
    await audit.guard(carol, 'room.create', null, () => undefined);
    const entries = await store.queryAudit({ limit: 10 });
    expect(entries.map((e) => [e.action, e.outcome, e.detail.reason])).toEqual([
      ['room.delete', 'denied', 'forbidden'],
      ['room.create', 'denied', 'quota_exceeded'],
    ]);
  });

  it('is read by admins and operators only, oldest first, in pages with next', async () => {
    for (let i = 0; i < 5; i++) {
      now += 1000;
      await audit.record(olga, 'room.create', `room${i}aaaaa`, 'ok', { i });
    }
    await expect(audit.query(null, {})).rejects.toMatchObject({ code: 'unauthorized' });
    await expect(audit.query(carol, {})).rejects.toMatchObject({ code: 'forbidden' });
    await expect(audit.query(roomToken('owner'), {})).rejects.toMatchObject({ code: 'forbidden' });
    const all = await audit.query(OPERATOR, {});
    expect(all.next).toBeUndefined();
    expect(all.entries.map((e) => e.detail.i)).toEqual([0, 1, 2, 3, 4]);
    const first = await audit.query(olga, { limit: 2 });
    expect(first.entries.map((e) => e.detail.i)).toEqual([0, 1]);
    const second = await audit.query(olga, { limit: 2, after: first.next! });
    expect(second.entries.map((e) => e.detail.i)).toEqual([2, 3]);
    const last = await audit.query(olga, { limit: 2, after: second.next! });
    expect(last).toEqual({ entries: [expect.objectContaining({ detail: { i: 4 } })] });
    const since = await audit.query(olga, { since: all.entries[3]!.at });
    expect(since.entries.map((e) => e.detail.i)).toEqual([3, 4]);
  });

  it('names an actor by what the trail knows of them in the room', async () => {
    await audit.record({ id: 'p1', name: 'Bob', role: 'participant' }, 'participant.join', 'aaaaaaaaaa');
    expect(await audit.known('aaaaaaaaaa', 'p1')).toEqual({ id: 'p1', name: 'Bob', role: 'participant' });
    expect(await audit.known('bbbbbbbbbb', 'p1')).toBeNull();
  });
});
