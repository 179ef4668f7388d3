import type { WebhookEvent } from '@boxroom/contracts';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { InviteService } from '../auth/invite-service.js';
import { OPERATOR, type Principal } from '../auth/principal.js';
import type { TokenService } from '../auth/token-service.js';
import { FakeDriver } from '../testing/fake-driver.js';
import type { AgentClient } from './agent-client.js';
import type { RightsPush } from './rights-push.js';
import { RoomManager } from './room-manager.js';

const account = (id: string): Principal => ({ role: 'owner', id, name: id, room: null, token: null });

function setup() {
  const driver = new FakeDriver();
  const sent: WebhookEvent[] = [];
  const pushed: string[] = [];
  const forgotten: string[] = [];
  let n = 0;
  const rooms = new RoomManager({
    driver,
    invites: {
      secret: () => 'secret',
      forget: async (id: string) => void forgotten.push(id),
    } as unknown as InviteService,
    tokens: {} as TokenService,
    agent: {} as AgentClient,
    log: pino({ level: 'silent' }),
    publicUrl: 'http://box.test',
    maxRooms: 5,
    webhooks: { enabled: true, emit: (e) => void sent.push(e), close: async () => {} },
    rightsPush: { push: async (id: string) => pushed.push(id) > 0 } as unknown as RightsPush,
    now: () => 5000,
    newId: () => `room${String(++n).padStart(6, '0')}`,
  });
  return { driver, rooms, sent, pushed, forgotten };
}

describe('RoomManager', () => {
  it('records who created a room as its owner, and ownership is what lets an account at it', async () => {
    const { driver, rooms } = setup();
    const ann = account('acct-ann');
    const bob = account('acct-bob');
    const annRoom = await rooms.create(ann, { name: 'ann' });
    const adminRoom = await rooms.create(OPERATOR, {});
    expect(driver.rooms.get(annRoom.id)?.spec.ownerId).toBe('acct-ann');
    expect(driver.rooms.get(adminRoom.id)?.spec.ownerId).toBe('operator');

    // the owner sees and manages its room (links included), and no other
    expect(await rooms.get(ann, annRoom.id)).toMatchObject({
      id: annRoom.id,
      links: { owner: expect.any(String) },
    });
    expect((await rooms.list(ann)).map((r) => r.id)).toEqual([annRoom.id]);
    await expect(rooms.get(ann, adminRoom.id)).rejects.toMatchObject({ code: 'forbidden' });
    // another account sees nothing of it and cannot delete it
    expect(await rooms.list(bob)).toEqual([]);
    await expect(rooms.get(bob, annRoom.id)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(rooms.delete(bob, annRoom.id)).rejects.toMatchObject({ code: 'forbidden' });
    // the admin credential still spans every room
    expect((await rooms.list(OPERATOR)).map((r) => r.id)).toEqual([annRoom.id, adminRoom.id]);
    await rooms.delete(ann, annRoom.id);
    expect(driver.deleted).toEqual([annRoom.id]);
  });

  it('removeFailed deletes a room still failed, forgets its invites and sends room.deleted {cause: failed}', async () => {
    const { driver, rooms, sent, forgotten } = setup();
    const dead = await rooms.create(OPERATOR, {});
    const back = await rooms.create(OPERATOR, {});
    sent.length = 0;
    driver.setStatus(dead.id, 'failed', 'the room agent was killed by SIGKILL');
    // the API says why, for the failed room only
    expect(await rooms.get(OPERATOR, dead.id)).toMatchObject({
      status: 'failed',
      failure: 'the room agent was killed by SIGKILL',
    });
    expect(await rooms.get(OPERATOR, back.id)).not.toHaveProperty('failure');
    await rooms.removeFailed(dead.id, 1234);
    // one that came back meanwhile stays
    await rooms.removeFailed(back.id, 1234);
    expect(driver.deleted).toEqual([dead.id]);
    expect(forgotten).toEqual([dead.id]);
    expect(sent).toEqual([
      {
        id: `${dead.id}.deleted`,
        type: 'room.deleted',
        at: 5000,
        room: dead.id,
        data: { cause: 'failed', failedAt: 1234, failure: 'the room agent was killed by SIGKILL' },
      },
    ]);
  });

  it('follows its driver: a ready room is announced and told its rights; close() stops following', async () => {
    const { driver, rooms, sent, pushed } = setup();
    const { id } = await rooms.create(OPERATOR, {});
    sent.length = 0;
    driver.emit('status', id, 'starting');
    driver.emit('status', id, 'failed');
    expect(sent).toEqual([]);
    driver.emit('status', id, 'ready');
    expect(sent).toEqual([{ id: `${id}.ready`, type: 'room.ready', at: 5000, room: id, data: {} }]);
    expect(pushed).toEqual([id]);

    rooms.close();
    driver.emit('status', id, 'ready');
    expect(sent).toHaveLength(1);
    expect(driver.listenerCount('status')).toBe(0);
  });
});
