import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildApp, type AppDeps } from '../app.js';
import { loadSecrets, type Secrets } from '../secrets/secret-store.js';
import { startFakeAgent, type FakeAgent } from '../testing/fake-agent.js';
import { FakeDriver } from '../testing/fake-driver.js';
import { ADMIN_TOKEN, inviteOf } from '../testing/test-app.js';

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function app(
  config: Partial<AppDeps['config']>,
): Promise<{ app: FastifyInstance; driver: FakeDriver; secrets: Secrets }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'boxroom-bounds-'));
  const secrets = await loadSecrets(dataDir, ADMIN_TOKEN);
  const driver = new FakeDriver();
  const a = await buildApp({
    config: { dataDir, publicUrl: 'http://box.test', maxRooms: 50, tokenTtlS: 3600, ...config },
    log: pino({ level: 'silent' }),
    driver,
    secrets,
    webDir: null,
  });
  cleanups.push(
    () => rm(dataDir, { recursive: true, force: true }),
    () => a.close(),
  );
  return { app: a, driver, secrets };
}

async function room(a: FastifyInstance) {
  const res = await a.inject({ method: 'POST', url: '/api/rooms', headers: admin });
  expect(res.statusCode).toBe(201);
  return res.json() as { id: string; links: { participant: string; viewer: string } };
}

const joinRoom = (a: FastifyInstance, r: { id: string; links: { viewer: string } }, extra: object = {}) =>
  a.inject({
    method: 'POST',
    url: `/api/rooms/${r.id}/join`,
    payload: { invite: inviteOf(r.links.viewer), name: 'v' },
    ...extra,
  });

const closeOf = (ws: WebSocket) =>
  new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );

describe('caps', { timeout: 20_000 }, () => {
  it('participants per room: a join beyond the cap answers 409 {error: {code: "room_full"}}', async () => {
    const { app: a, driver, secrets } = await app({ maxParticipants: 3 });
    const r = await room(a);
    const agent: FakeAgent = await startFakeAgent(secrets.publicKeyPem, r.id);
    cleanups.push(() => agent.close());
    driver.rooms.set(r.id, { ...driver.rooms.get(r.id)!, agentUrl: agent.url });
    agent.participants = [1, 2].map((i) => ({ id: `p${i}`, name: `p${i}`, role: 'viewer', joinedAt: 0 }));
    expect((await joinRoom(a, r)).statusCode).toBe(200);
    agent.participants.push({ id: 'p3', name: 'p3', role: 'viewer', joinedAt: 0 });
    const full = await joinRoom(a, r);
    expect(full.statusCode).toBe(409);
    expect(full.json()).toEqual({
      error: { code: 'room_full', message: `room ${r.id} is full (3 people); try again when someone leaves` },
    });
  });

  it('join rate per client: 429 with Retry-After; the admin credential is exempt', async () => {
    const { app: a } = await app({ rates: { joinPerMin: 4, createPerMin: 0, signInPerMin: 0 } });
    const r = await room(a);
    // burst of perMin/2 = 2, then the bucket is empty
    expect((await joinRoom(a, r)).statusCode).toBe(200);
    expect((await joinRoom(a, r)).statusCode).toBe(200);
    const limited = await joinRoom(a, r);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('too_many_requests');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(15);
    // another address has its own bucket; an X-Forwarded-For from an untrusted peer changes nothing
    expect((await joinRoom(a, r, { remoteAddress: '10.9.9.9' })).statusCode).toBe(200);
    expect((await joinRoom(a, r, { headers: { 'x-forwarded-for': '192.0.2.1' } })).statusCode).toBe(429);
    expect((await joinRoom(a, r, { headers: admin })).statusCode).toBe(200);
  });

  it('create and sign-in rates per client: 429 with Retry-After', async () => {
    const { app: a } = await app({ rates: { joinPerMin: 0, createPerMin: 2, signInPerMin: 2 } });
    expect((await a.inject({ method: 'POST', url: '/api/rooms', headers: admin })).statusCode).toBe(201);
    const create = await a.inject({ method: 'POST', url: '/api/rooms', headers: admin });
    expect(create.statusCode).toBe(429);
    expect(create.headers['retry-after']).toBe('30');
    const signIn = () =>
      a.inject({ method: 'POST', url: '/api/session', payload: { token: 'guess'.repeat(5) } });
    expect((await signIn()).statusCode).toBe(401);
    expect((await signIn()).statusCode).toBe(429);
  });

  it('sockets per principal: one more than the cap closes with 4429', async () => {
    const { app: a, driver, secrets } = await app({ maxSocketsPerPrincipal: 2 });
    const r = await room(a);
    const agent = await startFakeAgent(secrets.publicKeyPem, r.id);
    cleanups.push(() => agent.close());
    driver.rooms.set(r.id, { ...driver.rooms.get(r.id)!, agentUrl: agent.url });
    const { token } = (await joinRoom(a, r)).json();
    const { token: other } = (await joinRoom(a, r)).json();
    await a.listen({ port: 0, host: '127.0.0.1' });
    const base = `ws://127.0.0.1:${(a.server.address() as { port: number }).port}/rooms/${r.id}`;
    const open = async (path: string, t: string) => {
      const ws = new WebSocket(`${base}/${path}?token=${t}`);
      cleanups.push(async () => ws.terminate());
      await new Promise((res, rej) => {
        ws.once('open', res);
        ws.once('error', rej);
      });
      return ws;
    };
    const first = await open('session', token);
    await open('stream', token);
    const third = await open('input', token);
    expect(await closeOf(third)).toEqual({
      code: 4429,
      reason: 'too many sockets: at most 2 per participant; close another tab',
    });
    // someone else is not affected; a closed socket frees its place
    await open('stream', other);
    first.close();
    await closeOf(first);
    await new Promise((res) => setTimeout(res, 50));
    const again = await open('session', token);
    expect(again.readyState).toBe(WebSocket.OPEN);
  });

  it('bytes held for a socket the room has not accepted yet: over 64 KiB closes with 1009', async () => {
    // an "agent" that accepts TCP and never answers the upgrade: the proxy holds what the client sends
    // (the dashboard's protocol probe also connects here: its socket is ended with the server)
    const conns = new Set<Socket>();
    const silent: Server = createServer((c) => conns.add(c));
    await new Promise<void>((res) => silent.listen(0, '127.0.0.1', res));
    cleanups.push(() => {
      for (const c of conns) c.destroy();
      return new Promise((res) => silent.close(res));
    });
    const { app: a, driver } = await app({});
    const r = await room(a);
    driver.rooms.set(r.id, {
      ...driver.rooms.get(r.id)!,
      agentUrl: `http://127.0.0.1:${(silent.address() as { port: number }).port}`,
    });
    // a valid token: the edge checks it before it holds anything for the room
    const { token } = (await joinRoom(a, r)).json();
    const ws = await a.injectWS(`/rooms/${r.id}/input?token=${token}`);
    const closed = closeOf(ws);
    for (let i = 0; i < 5; i++) ws.send(Buffer.alloc(16 * 1024, i));
    expect(await closed).toEqual({ code: 1009, reason: 'too much data before the room accepted the socket' });
  });
});
