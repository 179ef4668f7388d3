import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Profile, Room } from '@boxroom/contracts';
import { buildTestApp, inviteOf, type TestApp } from '../testing/test-app.js';

describe('profiles API', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await buildTestApp();
  });
  afterEach(() => t.close());

  const create = (body: object) =>
    t.app.inject({ method: 'POST', url: '/api/rooms', headers: t.admin, payload: body });
  const profiles = async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/profiles', headers: t.admin });
    expect(res.statusCode).toBe(200);
    return res.json<{ profiles: Profile[] }>().profiles;
  };
  const del = (name: string, query = '') =>
    t.app.inject({ method: 'DELETE', url: `/api/profiles/${name}${query}`, headers: t.admin });

  it('one room at a time: a second create naming the profile is refused and leaves nothing behind', async () => {
    const first = await create({ app: 'browser', profile: 'work' });
    expect(first.statusCode).toBe(201);
    const room = first.json<Room>();
    expect(room.profile).toBe('work');
    expect(t.driver.rooms.get(room.id)?.spec.profile).toBe('work');

    const second = await create({ app: 'browser', profile: 'work' });
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ error: { code: 'profile_in_use' } });
    expect([...t.driver.rooms.keys()]).toEqual([room.id]);
    expect(await profiles()).toEqual([
      expect.objectContaining({ name: 'work', owner: 'operator', inUseBy: room.id, bytes: null }),
    ]);
    // another name is another profile; a room without one says so
    expect((await create({ profile: 'other' })).statusCode).toBe(201);
    expect((await create({})).json<Room>().profile).toBeNull();
  });

  it('frees the profile once its room is deleted, with what it measured; then the next room takes it', async () => {
    const room = (await create({ profile: 'work' })).json<Room>();
    expect((await del('work')).statusCode).toBe(409);
    const gone = await t.app.inject({ method: 'DELETE', url: `/api/rooms/${room.id}`, headers: t.admin });
    expect(gone.statusCode).toBe(204);
    // free at once; measured in the background
    expect(await profiles()).toEqual([expect.objectContaining({ name: 'work', inUseBy: null })]);
    await expect
      .poll(profiles)
      .toEqual([expect.objectContaining({ name: 'work', inUseBy: null, bytes: 1024 })]);
    const next = await create({ profile: 'work' });
    expect(next.statusCode).toBe(201);
  });

  it('a create the runtime fails frees the profile again', async () => {
    t.driver.failNextCreate = new Error('engine exploded');
    expect((await create({ profile: 'work' })).statusCode).toBe(500);
    expect(await profiles()).toEqual([expect.objectContaining({ name: 'work', inUseBy: null })]);
    expect((await create({ profile: 'work' })).statusCode).toBe(201);
  });

  it('DELETE removes the home and the entry: 204, then 404', async () => {
    const room = (await create({ profile: 'work' })).json<Room>();
    await t.app.inject({ method: 'DELETE', url: `/api/rooms/${room.id}`, headers: t.admin });
    expect(t.driver.profiles.has({ owner: 'operator', name: 'work' })).toBe(true);
    const res = await del('work');
    expect(res.statusCode).toBe(204);
    expect(t.driver.profiles.has({ owner: 'operator', name: 'work' })).toBe(false);
    expect(await profiles()).toEqual([]);
    expect((await del('work')).statusCode).toBe(404);
    expect((await del('work', '?owner=somebody')).statusCode).toBe(404);
  });

  it('refuses a name that is no profile name, and room tokens', async () => {
    expect((await create({ profile: '../etc' })).statusCode).toBe(400);
    expect((await del('.hidden')).statusCode).toBe(400);
    const room = (await create({ profile: 'work' })).json<Room>();
    const join = await t.app.inject({
      method: 'POST',
      url: `/api/rooms/${room.id}/join`,
      payload: { invite: inviteOf(room.links!.owner), name: 'Ann' },
    });
    const auth = { authorization: `Bearer ${join.json<{ token: string }>().token}` };
    expect((await t.app.inject({ method: 'GET', url: '/api/profiles', headers: auth })).statusCode).toBe(403);
    expect(
      (await t.app.inject({ method: 'DELETE', url: '/api/profiles/work', headers: auth })).statusCode,
    ).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/profiles' })).statusCode).toBe(401);
  });

  it('a template without "profiles": true keeps none: 400 before any room or lease is made', async () => {
    const made = await t.app.inject({
      method: 'POST',
      url: '/api/templates',
      headers: t.admin,
      payload: { id: 'clock', name: 'Clock', app: 'command', command: ['xclock'] },
    });
    expect(made.statusCode).toBe(201);
    const res = await create({ template: 'clock', profile: 'work' });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { message: string } }>().error.message).toMatch(/clock keeps no profiles/);
    expect(t.driver.rooms.size).toBe(0);
    expect(await profiles()).toEqual([]);
    expect((await create({ template: 'clock' })).statusCode).toBe(201);
  });
});
