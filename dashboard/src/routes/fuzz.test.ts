import { maxHeaderSize } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join as pathJoin } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import {
  Rng,
  Tally,
  authorizationOf,
  bodyText,
  enc,
  extraHeaders,
  fuzzSeed,
  mutateJson,
  oddString,
  queryOf,
  randomJson,
  sampleOf,
  type JsonSchema,
} from '../../../test/support/fuzz.js';
import { fillRoute, routesOf, type RouteDef } from '../../../test/support/fuzz-routes.js';
import { signToken } from '../../../test/support/keys.js';
import { startFakeAgent, type FakeAgent } from '../testing/fake-agent.js';
import { buildTestApp, inviteOf, type TestApp } from '../testing/test-app.js';

/**
 * Every route of the dashboard, as the app itself lists them (new routes are fuzzed without touching
 * this file), gets random and schema-mutated bodies, Authorization variants, odd headers and query
 * strings; every WebSocket route gets random frames. Seeded: BOXROOM_FUZZ_SEED=<n> replays a run.
 * Nothing may answer 5xx (a room's agent is a fake one that listens, so "unavailable" is no excuse),
 * and every error keeps the `{error: {code, message}}` shape.
 */
const SEED = fuzzSeed();
const HTTP_CASES = Number(process.env.BOXROOM_FUZZ_HTTP_CASES ?? 2000);
const WS_CASES = Number(process.env.BOXROOM_FUZZ_WS_CASES ?? 150);
const BUDGET_MS = 60_000;

interface Room {
  id: string;
  links: Record<'participant' | 'viewer' | 'owner', string>;
}

describe(`fuzz the dashboard (BOXROOM_FUZZ_SEED=${SEED})`, () => {
  let t: TestApp;
  let webDir: string;
  let agent: FakeAgent;
  let otherAgent: FakeAgent | undefined;
  let routes: RouteDef[];
  let doc: {
    paths: Record<
      string,
      Record<string, { requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>
    >;
  };
  let room: Room;
  let other: Room;
  let tokens: string[];
  let invites: string[];
  let participantIds: string[];
  /**
   * HTTP cases: a relayed stream.flv of a valid token would otherwise stream for ever and hold the
   * fuzz (inject waits for the end); the WebSocket cases keep the upstream, as a live room does
   */
  let relayEndsAfterAdmit = true;

  const create = async (): Promise<Room> =>
    (await t.app.inject({ method: 'POST', url: '/api/rooms', headers: t.admin, payload: {} })).json() as Room;
  const join = async (r: Room, role: keyof Room['links']) =>
    (
      await t.app.inject({
        method: 'POST',
        url: `/api/rooms/${r.id}/join`,
        payload: { invite: inviteOf(r.links[role]), name: role },
      })
    ).json() as { token: string; participantId: string };

  /** The fuzz may delete or fill the rooms it is given: make them again, with fresh tokens. */
  async function ensureRooms(): Promise<void> {
    if (room && t.driver.rooms.has(room.id) && other && t.driver.rooms.has(other.id)) return;
    if (!room || !t.driver.rooms.has(room.id)) {
      for (const id of [...t.driver.rooms.keys()]) await t.driver.delete(id);
      room = await create();
      await agent?.close();
      agent = await startFakeAgent(t.secrets.publicKeyPem, room.id);
      agent.relayEndsAfterAdmit = relayEndsAfterAdmit;
      t.driver.agentUrl = agent.url;
      t.driver.rooms.set(room.id, { ...t.driver.rooms.get(room.id)!, agentUrl: agent.url });
    }
    if (!other || !t.driver.rooms.has(other.id)) {
      other = await create();
      // its own stand-in: an agent answers its own room's tokens only (the relay's upstream too)
      await otherAgent?.close();
      otherAgent = await startFakeAgent(t.secrets.publicKeyPem, other.id);
      otherAgent.relayEndsAfterAdmit = relayEndsAfterAdmit;
      t.driver.rooms.set(other.id, { ...t.driver.rooms.get(other.id)!, agentUrl: otherAgent.url });
    }
    const joined = await Promise.all([
      join(room, 'participant'),
      join(room, 'viewer'),
      join(room, 'owner'),
      join(other, 'participant'),
    ]);
    const keys = { publicPem: t.secrets.publicKeyPem, privatePem: t.secrets.privateKeyPem };
    tokens = [
      t.admin.authorization.slice(7),
      // a join may be refused (rate limits, a full room): keep the tokens that came
      ...joined.map((j) => j.token).filter((x) => typeof x === 'string'),
      // the dashboard's own agent-call token: refused by the API
      await signToken(keys, { room: room.id, sub: 'dashboard', role: 'owner', aud: 'boxroom-agent' }),
      // expired
      await signToken(keys, { room: room.id, sub: 'old', role: 'owner', iat: 1_000_000, ttlS: 60 }),
      // no room claim's worth: a room that does not exist
      await signToken(keys, { room: 'nosuchroom', sub: 'x', role: 'owner' }),
    ];
    invites = [room, other].flatMap((r) => Object.values(r.links).map(inviteOf));
    participantIds = joined.map((j) => j.participantId ?? 'nobody');
  }

  beforeAll(async () => {
    // the pages are served whether or not this checkout ran `npm run build`: a one-file web UI
    webDir = await mkdtemp(pathJoin(tmpdir(), 'boxroom-fuzz-web-'));
    await writeFile(pathJoin(webDir, 'index.html'), '<!doctype html><title>boxroom</title>');
    t = await buildTestApp({ maxRooms: 20, webDir });
    await ensureRooms();
    routes = routesOf(t.app.printRoutes({ commonPrefix: false }));
    doc = t.app.swagger() as unknown as typeof doc;
  });
  afterAll(async () => {
    await agent?.close();
    await otherAgent?.close();
    await t?.close();
    if (webDir) await rm(webDir, { recursive: true, force: true });
  });

  const paramOf = (r: Rng, name: string): string =>
    enc(
      r.chance(0.7)
        ? r.pick(
            {
              id: [room.id, room.id, room.id, other.id],
              participantId: participantIds,
              role: ['participant', 'viewer', 'owner', 'operator'],
              action: ['request', 'release', 'take', 'give', 'reset', 'lock', 'unlock'],
            }[name] ?? ['x'],
          )
        : r.pick([oddString(r), 'zzzzzzzzzz', 'A', '..', '%2e%2e', '0123456789', 'x'.repeat(300)]),
    );

  function schemaOf(route: RouteDef): JsonSchema | undefined {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    return doc.paths[path]?.[route.method.toLowerCase()]?.requestBody?.content?.['application/json']?.schema;
  }

  it('HTTP: random and mutated requests to every route never answer 5xx', async () => {
    const r = new Rng(SEED);
    const tally = new Tally();
    const reached = new Set<string>();
    expect(routes.length).toBeGreaterThan(15);
    // every API route with a body schema is known to the OpenAPI document
    expect(routes.filter((x) => schemaOf(x)).length).toBeGreaterThan(2);
    const apiRoutes = routes.filter((x) => /^\/(api|rooms)\//.test(x.url));
    const started = Date.now();
    let n = 0;
    for (; n < HTTP_CASES && Date.now() - started < BUDGET_MS; n++) {
      // most cases on the API and the edge; the rest on everything else (docs, web assets, health)
      const route = r.chance(0.75) ? r.pick(apiRoutes) : r.pick(routes);
      const url =
        fillRoute(
          route.url,
          (p) => paramOf(r, p),
          () => r.pick(['', 'index.html', 'r/x', 'assets/%2e%2e/x', oddString(r).slice(0, 50)]),
        ) + queryOf(r, tokens);
      const headers: Record<string, string> = extraHeaders(r);
      const auth = authorizationOf(r, tokens);
      if (auth !== undefined) headers.authorization = auth;
      let payload: string | undefined;
      if (route.method !== 'GET' && route.method !== 'HEAD' && r.chance(0.9)) {
        const schema = schemaOf(route);
        let v = sampleOf(r, schema, {
          invite: r.pick(invites),
          participantId: r.pick(participantIds),
        });
        if (!schema) v = r.chance(0.5) ? randomJson(r) : v;
        for (let m = r.int(3); m > 0; m--) v = mutateJson(r, v);
        payload = bodyText(r, v);
        headers['content-type'] ??= 'application/json';
      }
      // Node's HTTP parser refuses these before fastify sees them (431 from clientErrorHandler,
      // error-handler.test.ts); inject has no such limit, and the agents are allowed more
      if (headerBytes(url, headers) > maxHeaderSize) continue;
      let res;
      try {
        res = await t.app.inject({ method: route.method as 'GET', url, headers, payload });
      } catch (err) {
        // light-my-request refuses some header bytes before anything reaches the app: not a case
        if ((err as { code?: string }).code === 'ERR_INVALID_CHAR') continue;
        throw err;
      }
      tally.add(res.statusCode);
      if (res.statusCode < 300) reached.add(`${route.method} ${route.url}`);
      const what = `seed ${SEED} case #${n}: ${route.method} ${url.slice(0, 200)} -> ${res.statusCode} ${res.body.slice(0, 300)}`;
      expect(res.statusCode < 500, what).toBe(true);
      if (res.statusCode >= 400 && route.method !== 'HEAD') {
        let err: { code?: unknown; message?: unknown } | undefined;
        try {
          err = (res.json() as { error?: typeof err }).error;
        } catch {
          err = undefined;
        }
        expect(typeof err?.code, what).toBe('string');
        expect(typeof err?.message, what).toBe('string');
      }
      if (n % 50 === 0) await ensureRooms();
    }
    console.log(
      `dashboard HTTP fuzz seed=${SEED}: ${n} cases over ${routes.length} routes in ${Date.now() - started} ms; statuses ${tally}; ${reached.size} routes answered 2xx`,
    );
    // the fuzz reached the handlers, not only the validators
    expect(tally.some((s) => Number(s) < 300)).toBe(true);
    expect(tally.get(400)).toBeGreaterThan(0);
    expect(reached.size).toBeGreaterThan(8);
  }, 120_000);

  it('WebSocket: random frames on every WebSocket route never crash the dashboard', async () => {
    relayEndsAfterAdmit = false;
    for (const a of [agent, otherAgent]) if (a) a.relayEndsAfterAdmit = false;
    const r = new Rng(SEED ^ 0x5eed);
    const tally = new Tally();
    // the WebSocket routes are the GET routes that accept an upgrade
    const wsRoutes: RouteDef[] = [];
    for (const route of routes.filter((x) => x.method === 'GET' && x.url.includes(':id/'))) {
      const url = fillRoute(
        route.url,
        (p) => paramOf(new Rng(0), p),
        () => 'x',
      );
      const ws = await t.app.injectWS(`${url}?token=${tokens[1]}`).catch(() => null);
      if (!ws) continue;
      wsRoutes.push(route);
      ws.terminate();
    }
    expect(wsRoutes.map((x) => x.url).sort()).toEqual(
      expect.arrayContaining(['/rooms/:id/input', '/rooms/:id/session', '/rooms/:id/stream']),
    );
    const started = Date.now();
    let n = 0;
    for (; n < WS_CASES && Date.now() - started < BUDGET_MS; n++) {
      await ensureRooms();
      const route = r.pick(wsRoutes);
      const url =
        fillRoute(
          route.url,
          (p) => paramOf(r, p),
          () => 'x',
        ) + queryOf(r, tokens);
      const headers: Record<string, string> = {};
      const auth = authorizationOf(r, tokens);
      if (auth !== undefined) headers.authorization = auth;
      if (r.chance(0.3)) headers['sec-websocket-protocol'] = r.pick(['binary', 'post', 'a, b', '']);
      let ws: WebSocket;
      try {
        ws = await t.app.injectWS(url, { headers });
      } catch {
        tally.add('refused');
        continue;
      }
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      ws.on('error', () => {});
      for (let f = r.int(20); f > 0; f--) {
        if (ws.readyState !== ws.OPEN) break;
        if (r.chance(0.5)) ws.send(r.bytes(r.int(r.chance(0.05) ? 200_000 : 64)));
        else
          ws.send(
            bodyText(
              r,
              mutateJson(r, r.pick([{ type: 'ping', t: 1 }, { type: 'renew', token: tokens[2] }, {}])),
            ),
          );
      }
      const code = await Promise.race([
        closed,
        new Promise<string>((res) => setTimeout(() => res('open'), 50)),
      ]);
      tally.add(code);
      if (typeof code === 'number')
        expect([1011, 4503].includes(code), `seed ${SEED} ws #${n} ${url}: ${code}`).toBe(false);
      ws.terminate();
    }
    console.log(
      `dashboard WS fuzz seed=${SEED}: ${n} sockets over ${wsRoutes.length} routes; closes ${tally}`,
    );
    // the app still answers
    const health = await t.app.inject('/healthz');
    expect(health.statusCode).toBe(200);
  }, 120_000);
});

function headerBytes(url: string, headers: Record<string, string>): number {
  return Object.entries(headers).reduce((n, [k, v]) => n + k.length + v.length + 4, url.length + 16);
}
