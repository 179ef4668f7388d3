import { describe, expect, it } from 'vitest';
import { authorize, can, type RoomAction, type RoomSubject } from './abilities.js';
import { OPERATOR, type Principal } from './principal.js';

const room: RoomSubject = { id: 'roomaaaaaa', ownerId: null };
const other: RoomSubject = { id: 'roombbbbbb', ownerId: null };
const who = (role: Principal['role'], r = room.id): Principal => ({
  role,
  id: `${role}-1`,
  name: role,
  room: r,
  token: 't',
});

const ACTIONS: RoomAction[] = [
  'create',
  'read',
  'watch',
  'delete',
  'invite',
  'control:request',
  'control:release',
  'control:take',
  'control:give',
  'control:reset',
  'desktop:reset',
  'files:upload',
  'files:download',
];

const allowed = (p: Principal, r = room) =>
  ACTIONS.filter((a) => (a === 'create' ? can(p, a) : can(p, a, r)));

describe('abilities', () => {
  it('operator: everything, every room', () => {
    expect(allowed(OPERATOR)).toEqual(ACTIONS);
    expect(allowed(OPERATOR, other)).toEqual(ACTIONS);
    expect(can(OPERATOR, 'list')).toBe(true);
  });

  it('owner: manage own room and moderate control, not create', () => {
    expect(allowed(who('owner'))).toEqual(ACTIONS.filter((a) => a !== 'create'));
    expect(allowed(who('owner'), other)).toEqual([]);
  });

  it('an operator-role room token moderates its own room only, and nothing room-independent', () => {
    const p = who('operator');
    expect(allowed(p)).toEqual(ACTIONS.filter((a) => a !== 'create'));
    expect(allowed(p, other)).toEqual([]);
    expect(can(p, 'list')).toBe(false);
    expect(() => authorize(p, 'create')).toThrow(
      expect.objectContaining({
        code: 'forbidden',
        message: 'a room token may not create rooms; only the admin credential spans rooms',
      }),
    );
    expect(() => authorize(p, 'read', other)).toThrow(
      expect.objectContaining({ code: 'forbidden', message: 'this token is for another room' }),
    );
  });

  it('no token of one room reaches another, even as the owner recorded for it', () => {
    for (const role of ['owner', 'participant', 'viewer', 'operator'] as const) {
      const p = who(role, 'elsewhere0');
      expect(can(p, 'read', { id: 'xxxxxxxxxx', ownerId: p.id }), role).toBe(false);
      expect(can(p, 'list'), role).toBe(false);
    }
  });

  it('an account (owner, no room): creates and lists, and moderates exactly the rooms it owns', () => {
    const account: Principal = { role: 'owner', id: 'acct-ann', name: 'Ann', room: null, token: null };
    const own = { id: 'roomcccccc', ownerId: account.id };
    expect(allowed(account, own)).toEqual(ACTIONS);
    expect(can(account, 'kick', own)).toBe(true);
    expect(can(account, 'list')).toBe(true);
    // someone else's room, and one without a recorded owner
    expect(allowed(account, { id: 'roomdddddd', ownerId: 'acct-bob' })).toEqual(['create']);
    expect(allowed(account, room)).toEqual(['create']);
    expect(() => authorize(account, 'read', room)).toThrow(expect.objectContaining({ code: 'forbidden' }));
    // an account without the owner role spans nothing
    expect(can({ ...account, role: 'participant' }, 'create')).toBe(false);
    expect(can({ ...account, role: 'viewer' }, 'read', own)).toBe(false);
  });

  it('participant: watch, request/release control and give it on, upload (the agent checks they hold control for both), download', () => {
    expect(allowed(who('participant'))).toEqual([
      'read',
      'watch',
      'control:request',
      'control:release',
      'control:give',
      'files:upload',
      'files:download',
    ]);
    expect(allowed(who('participant'), other)).toEqual([]);
  });

  it('viewer: watch only', () => {
    expect(allowed(who('viewer'))).toEqual(['read', 'watch']);
    expect(allowed(who('viewer'), other)).toEqual([]);
  });

  it('authorize throws unauthorized without a principal and forbidden when denied', () => {
    expect(() => authorize(null, 'read', room)).toThrow(expect.objectContaining({ code: 'unauthorized' }));
    expect(() => authorize(who('viewer'), 'delete', room)).toThrow(
      expect.objectContaining({ code: 'forbidden' }),
    );
    expect(() => authorize(who('viewer'), 'read', room)).not.toThrow();
  });
});
