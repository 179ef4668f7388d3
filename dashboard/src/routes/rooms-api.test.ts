import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeAgent, type FakeAgent } from '../testing/fake-agent.js';
import { buildTestApp, inviteOf, type TestApp } from '../testing/test-app.js';

describe('rooms API', () => {
  let t: TestApp;
  let agent: FakeAgent;

  beforeEach(async () => {
    t = await buildTestApp();
  });
  afterEach(async () => {
    await agent?.close();
    await t.close();
  });

  const create = (body: unknown = {}, headers: Record<string, string> = t.admin) =>
    t.app.inject({ method: 'POST', url: '/api/rooms', headers, payload: body as object });

  /** A token for a role in a room, through the real join flow. */
  const join = async (id: string, link: string, name = 'Ann') => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/rooms/${id}/join`,
      payload: { invite: inviteOf(link), name },
    });
    expect(res.statusCode).toBe(200);
    return res.json<{ token: string; role: string; participantId: string; expiresAt: string }>();
  };

  it('creates a room with defaults, links in the fragment, 201', async () => {
    const res = await create();
    expect(res.statusCode).toBe(201);
    const room = res.json();
    expect(room).toMatchObject({ status: 'ready', width: 1280, height: 720, fps: 30, app: 'terminal' });
    expect(room.id).toMatch(/^[a-z0-9]{10}$/);
    expect(room.name).toBe(`room ${room.id}`);
    expect(new Date(room.createdAt).toISOString()).toBe(room.createdAt);
    for (const role of ['participant', 'viewer', 'owner']) {
      expect(room.links[role]).toMatch(
        new RegExp(`^http://box\\.test/r/${room.id}#invite=[A-Za-z0-9_-]{43}$`),
      );
      expect(room.links[role]).not.toContain('?');
    }
    // the admin credential created it, so it owns it
    expect(t.driver.rooms.get(room.id)?.spec).toMatchObject({ ownerId: 'operator', width: 1280 });
  });

  it('creates a bodyless room and honours given settings', async () => {
    const bare = await t.app.inject({ method: 'POST', url: '/api/rooms', headers: t.admin });
    expect(bare.statusCode).toBe(201);
    const res = await create({ name: ' Demo ', width: 1920, height: 1080, fps: 60, app: 'browser' });
    expect(res.json()).toMatchObject({ name: 'Demo', width: 1920, height: 1080, fps: 60, app: 'browser' });
  });

  it.each([
    [{ width: 1281 }],
    [{ width: 100 }],
    [{ height: 5000 }],
    [{ fps: 0 }],
    [{ fps: 61 }],
    [{ fps: 1.5 }],
    [{ app: 'doom' }],
    [{ name: '' }],
    [{ name: '   ' }],
    [{ name: 'x'.repeat(65) }],
    [{ extra: 1 }],
    [{ width: '1280' }],
    [[]],
  ])('400 on %o', async (body) => {
    const res = await create(body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('bad_request');
  });

  it('timeouts: defaults apply, given ones override, each is validated, and they are stored with the room', async () => {
    const plain = (await create()).json();
    expect(plain.timeouts).toEqual({ maxAgeS: 0, noViewersS: 0, noInputS: 0 });
    const res = await create({ timeouts: { maxAgeS: 7200, noInputS: 600 } });
    expect(res.statusCode).toBe(201);
    expect(res.json().timeouts).toEqual({ maxAgeS: 7200, noViewersS: 0, noInputS: 600 });
    expect(t.driver.rooms.get(res.json().id)?.spec.timeouts).toEqual({
      maxAgeS: 7200,
      noViewersS: 0,
      noInputS: 600,
    });
    for (const timeouts of [
      { maxAgeS: -1 },
      { noViewersS: 1.5 },
      { noInputS: 2_592_001 },
      { idleS: 5 },
      'soon',
    ]) {
      const bad = await create({ timeouts });
      expect(bad.statusCode, JSON.stringify(timeouts)).toBe(400);
      expect(bad.json().error.code).toBe('bad_request');
    }
  });

  it('GET /api/rooms/:id shows participants and the control lease from the agent', async () => {
    const room = (await create()).json();
    agent = await startFakeAgent(t.secrets.publicKeyPem, room.id);
    t.driver.rooms.set(room.id, { ...t.driver.rooms.get(room.id)!, agentUrl: agent.url });
    const holder = { id: 'p1', name: 'Ann', role: 'participant' as const };
    agent.control = {
      seq: 4,
      holder,
      queue: [{ id: 'p2', name: 'Ben', role: 'participant' }],
      locked: false,
    };
    agent.participants = [{ ...holder, joinedAt: 1 }];
    const got = (await t.app.inject({ url: `/api/rooms/${room.id}`, headers: t.admin })).json();
    expect(got).toMatchObject({
      controller: holder,
      control: agent.control,
      participants: [{ id: 'p1', name: 'Ann', role: 'participant', joinedAt: 1 }],
      expired: null,
    });
  });

  it('400 on malformed JSON', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/rooms',
      headers: { ...t.admin, 'content-type': 'application/json' },
      payload: '{"name":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('bad_request');
  });

  it('401 without or with a bad bearer, 403 for non-operators', async () => {
    expect((await create({}, {})).statusCode).toBe(401);
    expect((await create({}, { authorization: 'Bearer nope' })).statusCode).toBe(401);
    expect((await create({}, { authorization: 'Basic abc' })).statusCode).toBe(401);
    const room = (await create()).json();
    for (const role of ['owner', 'participant', 'viewer']) {
      const { token } = await join(room.id, room.links[role]);
      const res = await create({}, { authorization: `Bearer ${token}` });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    }
  });

  it('409 at the room limit', async () => {
    await t.close();
    t = await buildTestApp({ maxRooms: 1 });
    expect((await create()).statusCode).toBe(201);
    const res = await create();
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('conflict');
  });

  it('lists rooms with viewer counts and the controller from each agent', async () => {
    const room = (await create()).json();
    agent = await startFakeAgent(t.secrets.publicKeyPem, room.id);
    t.driver.rooms.set(room.id, { ...t.driver.rooms.get(room.id)!, agentUrl: agent.url });
    agent.control = {
      seq: 3,
      holder: { id: 'p1', name: 'Ann', role: 'participant' },
      queue: [],
      locked: false,
    };
    agent.viewers = 7;
    const starting = (await create()).json();
    t.driver.setStatus(starting.id, 'starting');

    const res = await t.app.inject({ method: 'GET', url: '/api/rooms', headers: t.admin });
    expect(res.statusCode).toBe(200);
    const rooms = res.json().rooms;
    expect(rooms).toHaveLength(2);
    expect(rooms[0]).toMatchObject({
      id: room.id,
      viewers: 7,
      controller: { id: 'p1', name: 'Ann', role: 'participant' },
    });
    expect(rooms[0].links).toBeDefined();
    expect(rooms[1]).toMatchObject({ id: starting.id, status: 'starting', viewers: null, controller: null });
    // the dashboard asked the agent with a short agent-audience token for that room
    const call = agent.seen.find((s) => s.url === '/state');
    expect(call?.authorization).toMatch(/^Bearer ey/);
    expect(decodeJwt(call!.authorization!.slice(7))).toMatchObject({
      aud: 'boxroom-agent',
      room: room.id,
      role: 'operator',
    });
  });

  it('a failed room says why, in the list and alone; others have no failure; a recovered room drops it', async () => {
    const room = (await create()).json();
    const other = (await create()).json();
    t.driver.setStatus(room.id, 'failed', 'the room agent was killed by SIGKILL');
    const get = async (id: string) =>
      (await t.app.inject({ method: 'GET', url: `/api/rooms/${id}`, headers: t.admin })).json();
    expect(await get(room.id)).toMatchObject({
      status: 'failed',
      failure: 'the room agent was killed by SIGKILL',
    });
    expect(await get(other.id)).not.toHaveProperty('failure');
    const list = (await t.app.inject({ method: 'GET', url: '/api/rooms', headers: t.admin })).json().rooms;
    expect(list.map((r: { failure?: string }) => r.failure)).toEqual([
      'the room agent was killed by SIGKILL',
      undefined,
    ]);
    t.driver.setStatus(room.id, 'ready');
    expect(await get(room.id)).not.toHaveProperty('failure');
    // failed again, and the runtime did not say why
    t.driver.setStatus(room.id, 'failed');
    expect(await get(room.id)).toMatchObject({ status: 'failed', failure: null });
  });

  it('an agent that does not answer gives nulls, not an error', async () => {
    t.driver.agentUrl = 'http://127.0.0.1:9';
    const room = (await create()).json();
    const res = await t.app.inject({ method: 'GET', url: `/api/rooms/${room.id}`, headers: t.admin });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ viewers: null, controller: null });
  });

  it('participants see only their own room, without links; the list is for the admin credential', async () => {
    const a = (await create()).json();
    await create();
    const { token } = await join(a.id, a.links.participant);
    const auth = { authorization: `Bearer ${token}` };
    const list = await t.app.inject({ method: 'GET', url: '/api/rooms', headers: auth });
    expect(list.statusCode).toBe(403);
    const one = await t.app.inject({ method: 'GET', url: `/api/rooms/${a.id}`, headers: auth });
    expect(one.statusCode).toBe(200);
    expect(one.json().links).toBeUndefined();
    const owner = await join(a.id, a.links.owner);
    const asOwner = await t.app.inject({
      method: 'GET',
      url: `/api/rooms/${a.id}`,
      headers: { authorization: `Bearer ${owner.token}` },
    });
    expect(asOwner.json().links.participant).toBe(a.links.participant);
  });

  it('GET/DELETE: 400 malformed id, 404 unknown, 403 other room', async () => {
    for (const bad of ['ABCDEFGHIJ', 'short', 'abcdefghijk', 'abc-efghij', '%00aaaaaaaa']) {
      const res = await t.app.inject({ method: 'GET', url: `/api/rooms/${bad}`, headers: t.admin });
      expect(res.statusCode, bad).toBe(400);
    }
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/rooms/zzzzzzzzzz', headers: t.admin })).statusCode,
    ).toBe(404);
    expect(
      (await t.app.inject({ method: 'DELETE', url: '/api/rooms/zzzzzzzzzz', headers: t.admin })).statusCode,
    ).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/rooms/zzzzzzzzzz' })).statusCode).toBe(401);

    const a = (await create()).json();
    const b = (await create()).json();
    const { token } = await join(a.id, a.links.owner);
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/rooms/${b.id}`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(403);
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/api/rooms/${b.id}`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(del.statusCode).toBe(403);
  });

  it('DELETE: operator and owner 204; participant and viewer 403', async () => {
    const a = (await create()).json();
    for (const role of ['participant', 'viewer']) {
      const { token } = await join(a.id, a.links[role]);
      const res = await t.app.inject({
        method: 'DELETE',
        url: `/api/rooms/${a.id}`,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.statusCode).toBe(403);
    }
    const owner = await join(a.id, a.links.owner);
    const res = await t.app.inject({
      method: 'DELETE',
      url: `/api/rooms/${a.id}`,
      headers: { authorization: `Bearer ${owner.token}` },
    });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(t.driver.deleted).toEqual([a.id]);

    const b = (await create()).json();
    expect(
      (await t.app.inject({ method: 'DELETE', url: `/api/rooms/${b.id}`, headers: t.admin })).statusCode,
    ).toBe(204);
    expect(
      (await t.app.inject({ method: 'GET', url: `/api/rooms/${b.id}`, headers: t.admin })).statusCode,
    ).toBe(404);
  });
});

describe('ops routes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.close());

  it('healthz, metrics, openapi, docs', async () => {
    expect((await t.app.inject('/healthz')).json()).toEqual({ status: 'ok', driver: 'local', rooms: 0 });
    const metrics = await t.app.inject({ url: '/metrics', headers: t.admin });
    expect(metrics.body).toContain('boxroom_rooms{status="ready"} 0');
    const spec = (await t.app.inject('/openapi.json')).json();
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/api/rooms',
        '/api/rooms/{id}',
        '/api/rooms/{id}/join',
        '/api/rooms/{id}/control/give',
        '/api/rooms/{id}/control/{action}',
        '/api/rooms/{id}/invites/{role}/revoke',
        '/api/rooms/{id}/token',
        '/api/rooms/{id}/participants/{participantId}/kick',
        '/rooms/{id}/stream.flv',
      ]),
    );
    // the request schema is the validator's schema
    expect(
      spec.paths['/api/rooms'].post.requestBody.content['application/json'].schema.properties.fps.maximum,
    ).toBe(60);
    // Room's failure, as contracts define it
    const failure = (await t.app.inject('/openapi.json')).body.match(/"failure":\{[^}]*\}/)?.[0];
    expect(failure).toContain('"maxLength":200');
    for (const path of ['/docs/', '/docs/static/swagger-ui.css', '/docs/static/logo.svg'])
      expect((await t.app.inject(path)).statusCode, path).toBe(200);
  });

  it('unknown routes are JSON 404s', async () => {
    const res = await t.app.inject('/nope?token=secret');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
    expect(res.body).not.toContain('secret');
  });
});
