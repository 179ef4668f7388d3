import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOM_WAIT_MAX_MS } from '@boxroom/contracts';
import { buildTestApp, type TestApp } from '../testing/test-app.js';

/** GET /api/rooms/:id?wait=: a starting room is answered when its status moves, not polled. */
describe('GET /api/rooms/:id?wait=', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await buildTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  const startingRoom = async (): Promise<string> => {
    t.driver.createStatus = 'starting';
    const res = await t.app.inject({ method: 'POST', url: '/api/rooms', headers: t.admin, payload: {} });
    expect(res.statusCode).toBe(201);
    return res.json<{ id: string }>().id;
  };
  const get = (id: string, query = '') =>
    t.app.inject({ method: 'GET', url: `/api/rooms/${id}${query}`, headers: t.admin });
  const move = (id: string, status: 'ready' | 'failed' | 'stopping') => {
    t.driver.setStatus(id, status);
    t.driver.emit('status', id, status);
  };

  it('holds a starting room until the driver says it is ready, then answers it ready', async () => {
    const id = await startingRoom();
    const started = Date.now();
    let answeredAt = 0;
    const held = get(id, '?wait=5000').then((r) => ((answeredAt = Date.now()), r));
    await new Promise((r) => setTimeout(r, 150));
    expect(answeredAt).toBe(0);
    const movedAt = Date.now();
    move(id, 'ready');
    const res = await held;
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('ready');
    expect(answeredAt).toBeGreaterThanOrEqual(movedAt);
    expect(answeredAt - started).toBeLessThan(2000);
  });

  it('answers failed and stopping moves too, and a failed room gives its failure', async () => {
    const a = await startingRoom();
    const heldA = get(a, '?wait=5000');
    await new Promise((r) => setTimeout(r, 50));
    t.driver.setStatus(a, 'failed', 'the room agent exited with code 1');
    t.driver.emit('status', a, 'failed');
    expect((await heldA).json()).toMatchObject({
      status: 'failed',
      failure: 'the room agent exited with code 1',
    });
  });

  it('answers starting when the wait runs out', async () => {
    const id = await startingRoom();
    const started = Date.now();
    const res = await get(id, '?wait=200');
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('starting');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('answers a ready room, and a starting one without wait, at once', async () => {
    const id = await startingRoom();
    expect((await get(id)).json().status).toBe('starting');
    move(id, 'ready');
    const started = Date.now();
    expect((await get(id, `?wait=${ROOM_WAIT_MAX_MS}`)).json().status).toBe('ready');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('a room deleted while held answers 404', async () => {
    const id = await startingRoom();
    const held = get(id, '?wait=5000');
    await new Promise((r) => setTimeout(r, 50));
    expect(
      (await t.app.inject({ method: 'DELETE', url: `/api/rooms/${id}`, headers: t.admin })).statusCode,
    ).toBe(204);
    t.driver.emit('status', id, 'stopping');
    const res = await held;
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
  });

  it('many held requests cost the driver no listener each, and all are answered by one move', async () => {
    const id = await startingRoom();
    const before = t.driver.listenerCount('status');
    const held = Array.from({ length: 30 }, () => get(id, '?wait=5000'));
    await new Promise((r) => setTimeout(r, 100));
    expect(t.driver.listenerCount('status')).toBe(before);
    move(id, 'ready');
    for (const res of await Promise.all(held)) expect(res.json().status).toBe('ready');
  });

  it('a closing dashboard answers its held requests at once instead of waiting out their hold', async () => {
    const id = await startingRoom();
    const held = get(id, '?wait=10000');
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    const closed = t.app.close();
    const res = await held;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(res.json().status).toBe('starting');
    await closed;
  });

  it.each(['?wait=-1', `?wait=${ROOM_WAIT_MAX_MS + 1}`, '?wait=abc'])('400 for %s', async (q) => {
    const id = await startingRoom();
    const res = await get(id, q);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('bad_request');
  });

  it('a held request needs the same rights as any read: 401 without a token, at once', async () => {
    const id = await startingRoom();
    const res = await t.app.inject({ method: 'GET', url: `/api/rooms/${id}?wait=5000` });
    expect(res.statusCode).toBe(401);
  });
});
