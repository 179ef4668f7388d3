import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { TokenService } from '../auth/token-service.js';
import { startFakeAgent, type FakeAgent } from '../testing/fake-agent.js';
import { buildTestApp, inviteOf, type TestApp } from '../testing/test-app.js';

/**
 * Every token names one room and the dashboard confines it there, whatever its role; the
 * dashboard's own agent-call tokens (aud) are worth nothing at the dashboard. Each refusal is the
 * dashboard's: the agents behind it never see the request.
 */

type Kind = 'viewer' | 'participant' | 'owner' | 'operator-room' | 'aud';
const KINDS: Kind[] = ['viewer', 'participant', 'owner', 'operator-room', 'aud'];
const AUD_MESSAGE = 'this token is for room agents only; the dashboard does not accept it';

interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  path: (id: string) => string;
  payload?: object;
}

/** Every room-scoped API route, by family. */
const API_ROUTES: Record<string, Route[]> = {
  rooms: [
    { method: 'GET', path: (id) => `/api/rooms/${id}` },
    { method: 'DELETE', path: (id) => `/api/rooms/${id}` },
  ],
  control: [
    ...['request', 'release', 'take', 'reset', 'lock', 'unlock'].map((verb): Route => ({
      method: 'POST',
      path: (id) => `/api/rooms/${id}/control/${verb}`,
    })),
    { method: 'POST', path: (id) => `/api/rooms/${id}/control/give`, payload: { participantId: 'p1' } },
    { method: 'POST', path: (id) => `/api/rooms/${id}/control/give`, payload: {} },
  ],
  access: ['owner', 'participant', 'viewer'].map((role): Route => ({
    method: 'POST',
    path: (id) => `/api/rooms/${id}/invites/${role}/revoke`,
  })),
  desktop: [{ method: 'POST', path: (id) => `/api/rooms/${id}/desktop/reset` }],
};

/** Routes that are not about one room: the admin credential only. */
const ROOM_INDEPENDENT: Route[] = [
  { method: 'GET', path: () => '/api/rooms' },
  { method: 'POST', path: () => '/api/rooms', payload: {} },
];

/**
 * What reached an agent on a caller's behalf: everything but the dashboard's own unauthenticated
 * protocol-version probe (GET /healthz, which carries no token and no caller's request).
 */
const forwarded = (agent: FakeAgent) =>
  agent.seen.filter((s) => !(s.method === 'GET' && s.url === '/healthz' && s.authorization === undefined));

const closeOf = (ws: WebSocket) =>
  new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );

describe('room confinement of tokens', () => {
  let t: TestApp;
  let a: { id: string; links: Record<'participant' | 'viewer' | 'owner', string> };
  let b: typeof a;
  let agentA: FakeAgent;
  let agentB: FakeAgent;
  /** tokens of room A (and the aud token of room B) by kind */
  let tokensA: Record<Kind, string>;
  let audB: string;

  beforeEach(async () => {
    t = await buildTestApp();
    const create = async () =>
      (await t.app.inject({ method: 'POST', url: '/api/rooms', headers: t.admin })).json();
    a = await create();
    b = await create();
    agentA = await startFakeAgent(t.secrets.publicKeyPem, a.id);
    agentB = await startFakeAgent(t.secrets.publicKeyPem, b.id);
    t.driver.rooms.set(a.id, { ...t.driver.rooms.get(a.id)!, agentUrl: agentA.url });
    t.driver.rooms.set(b.id, { ...t.driver.rooms.get(b.id)!, agentUrl: agentB.url });
    const join = async (role: 'participant' | 'viewer' | 'owner') =>
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/rooms/${a.id}/join`,
          payload: { invite: inviteOf(a.links[role]), name: role },
        })
      ).json().token as string;
    // The same key the app signs with: what an old dashboard minted, and what it mints for agents now.
    const signer = await TokenService.fromPem(t.secrets.privateKeyPem, t.secrets.publicKeyPem, 3600);
    const dashboard = { sub: 'boxroom-dashboard', name: 'dashboard', role: 'operator' as const };
    tokensA = {
      viewer: await join('viewer'),
      participant: await join('participant'),
      owner: await join('owner'),
      'operator-room': (await signer.issue({ ...dashboard, room: a.id })).token,
      aud: await signer.issueForAgent({ ...dashboard, room: a.id }),
    };
    audB = await signer.issueForAgent({ ...dashboard, room: b.id });
  });
  afterEach(async () => {
    // the dashboard first: its relay upstreams to the agents close with it
    await t.close();
    await agentA.close();
    await agentB.close();
  });

  const call = (r: Route, id: string, token: string) =>
    t.app.inject({
      method: r.method,
      url: r.path(id),
      headers: { authorization: `Bearer ${token}` },
      ...(r.payload ? { payload: r.payload } : {}),
    });

  for (const [family, routes] of Object.entries(API_ROUTES)) {
    it(`${family} API: a token of room A of every role is refused on room B`, async () => {
      for (const kind of KINDS) {
        for (const r of routes) {
          const res = await call(r, b.id, tokensA[kind]);
          const what = `${kind} ${r.method} ${r.path(b.id)}`;
          if (kind === 'aud') {
            expect(res.statusCode, what).toBe(401);
            expect(res.json().error.message, what).toBe(AUD_MESSAGE);
          } else {
            expect(res.statusCode, what).toBe(403);
            expect(res.json().error, what).toEqual({
              code: 'forbidden',
              message: 'this token is for another room',
            });
          }
        }
      }
      expect(forwarded(agentB)).toEqual([]);
      expect(t.driver.deleted).toEqual([]);
      expect(t.driver.rooms.has(b.id)).toBe(true);
    });

    it(`${family} API: aud tokens are refused on their own room too`, async () => {
      for (const [id, token] of [
        [a.id, tokensA.aud],
        [b.id, audB],
      ] as const) {
        for (const r of routes) {
          const res = await call(r, id, token);
          expect(res.statusCode, `${r.method} ${r.path(id)}`).toBe(401);
          expect(res.json().error).toEqual({ code: 'unauthorized', message: AUD_MESSAGE });
        }
      }
      expect(forwarded(agentA)).toEqual([]);
      expect(forwarded(agentB)).toEqual([]);
    });
  }

  it('room-independent routes (list, create): every room token is refused, the admin credential is not', async () => {
    for (const kind of KINDS) {
      for (const r of ROOM_INDEPENDENT) {
        const res = await call(r, '', tokensA[kind]);
        const what = `${kind} ${r.method} ${r.path('')}`;
        expect(res.statusCode, what).toBe(kind === 'aud' ? 401 : 403);
        if (kind !== 'aud')
          expect(res.json().error.message, what).toMatch(/only the admin credential spans rooms/);
      }
    }
    expect(t.driver.rooms.size).toBe(2);
    const list = await t.app.inject({ method: 'GET', url: '/api/rooms', headers: t.admin });
    expect(list.json().rooms.map((r: { id: string }) => r.id)).toEqual([a.id, b.id]);
    // the dashboard's own polls for that list went out with aud tokens
    const polls = [...agentA.seen, ...agentB.seen].filter((s) => s.url === '/state');
    expect(polls).toHaveLength(2);
  });

  it('joining with an invite ignores a room token but refuses an aud bearer', async () => {
    const join = (token: string) =>
      t.app.inject({
        method: 'POST',
        url: `/api/rooms/${b.id}/join`,
        headers: { authorization: `Bearer ${token}` },
        payload: { invite: inviteOf(b.links.viewer), name: 'x' },
      });
    expect((await join(tokensA.aud)).statusCode).toBe(401);
    expect((await join(audB)).statusCode).toBe(401);
    // the invite is what authenticates a join: a stray room token changes nothing
    expect((await join(tokensA.owner)).json().role).toBe('viewer');
  });

  it('positive control: in room A each token does what its role may', async () => {
    const get = (kind: Kind) => call(API_ROUTES.rooms![0]!, a.id, tokensA[kind]);
    for (const kind of ['viewer', 'participant', 'owner', 'operator-room'] as const)
      expect((await get(kind)).statusCode, kind).toBe(200);
    const reset = API_ROUTES.desktop![0]!;
    expect((await call(reset, a.id, tokensA.viewer)).statusCode).toBe(403);
    expect((await call(reset, a.id, tokensA.participant)).statusCode).toBe(403);
    expect((await call(reset, a.id, tokensA.owner)).statusCode).toBe(202);
    expect((await call(reset, a.id, tokensA['operator-room'])).statusCode).toBe(202);
    const take = { method: 'POST' as const, path: (id: string) => `/api/rooms/${id}/control/take` };
    expect((await call(take, a.id, tokensA['operator-room'])).statusCode).toBe(200);
    // the admin credential spans rooms
    expect((await t.app.inject({ url: `/api/rooms/${b.id}`, headers: t.admin })).statusCode).toBe(200);
  });

  describe('edge (proxy) routes', () => {
    const HTTP = ['stream.flv', 'snapshot.jpg'];
    const WS = ['stream', 'input', 'session'];

    it('HTTP-FLV and snapshot: room A tokens refused on room B, aud tokens everywhere, query or bearer', async () => {
      for (const path of HTTP) {
        for (const kind of KINDS) {
          const token = tokensA[kind];
          const byQuery = await t.app.inject(`/rooms/${b.id}/${path}?token=${token}`);
          const byBearer = await t.app.inject({
            url: `/rooms/${b.id}/${path}`,
            headers: { authorization: `Bearer ${token}` },
          });
          for (const res of [byQuery, byBearer])
            expect(res.statusCode, `${kind} ${path}`).toBe(kind === 'aud' ? 401 : 403);
        }
        for (const [id, token] of [
          [a.id, tokensA.aud],
          [b.id, audB],
        ] as const) {
          const res = await t.app.inject(`/rooms/${id}/${path}?token=${token}`);
          expect(res.statusCode).toBe(401);
          expect(res.json().error.message).toBe(AUD_MESSAGE);
        }
        expect((await t.app.inject(`/rooms/${b.id}/${path}`)).statusCode).toBe(401);
      }
      expect(forwarded(agentA)).toEqual([]);
      expect(forwarded(agentB)).toEqual([]);
      // positive control: room A's viewer token streams from room A (through the relay: a live
      // response that never ends, over a real socket, read up to its head)
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = t.app.server.address() as AddressInfo;
      const status = await new Promise<number | undefined>((resolve, reject) => {
        const req = get(
          `http://127.0.0.1:${port}/rooms/${a.id}/stream.flv?token=${tokensA.viewer}`,
          (res) => {
            resolve(res.statusCode);
            req.destroy();
          },
        ).on('error', reject);
      });
      expect(status).toBe(200);
    });

    it('WS stream, input, session: room A tokens closed with 4403 on room B, aud tokens with 4401', async () => {
      for (const path of WS) {
        for (const kind of KINDS) {
          const ws = await t.app.injectWS(`/rooms/${b.id}/${path}?token=${tokensA[kind]}`);
          expect(await closeOf(ws), `${kind} ${path}`).toEqual(
            kind === 'aud'
              ? { code: 4401, reason: AUD_MESSAGE }
              : { code: 4403, reason: 'this token is for another room' },
          );
        }
        const own = await t.app.injectWS(`/rooms/${b.id}/${path}?token=${audB}`);
        expect((await closeOf(own)).code).toBe(4401);
        const none = await t.app.injectWS(`/rooms/${b.id}/${path}`);
        expect(await closeOf(none)).toEqual({ code: 4401, reason: 'missing token' });
      }
      expect(forwarded(agentA)).toEqual([]);
      expect(forwarded(agentB)).toEqual([]);
    });
  });
});
