import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { ErrorBody, Room, type Room as RoomT } from '@boxroom/contracts';
import { dashboardRoutes } from '../../dashboard/src/testing/dashboard-routes.js';
import { checkAnswers } from '../../dashboard/src/testing/route-contract.js';
import {
  httpViolation,
  sessionEventViolation,
  takeViolations,
  watchDashboard,
  type HttpExchange,
  type RouteContract,
} from '../support/contract-check.js';
import { openSession } from '../support/agent-helpers.js';
// the integration tests' fetch and ws hooks, installed here too so that they are proven to catch
import '../support/contract-intercept.js';

const room: RoomT = {
  id: 'abcdefghij',
  name: 'room abcdefghij',
  status: 'ready',
  createdAt: '2026-01-01T00:00:00.000Z',
  width: 1280,
  height: 720,
  fps: 30,
  app: 'terminal',
  timeouts: { maxAgeS: 0, noViewersS: 0, noInputS: 0 },
  settings: { clipboard: { copyOut: true, pasteIn: true }, files: { upload: true, download: true } },
};
const getRoom: RouteContract = {
  method: 'GET',
  url: '/api/rooms/:id',
  hidden: false,
  response: { 200: Room, 404: ErrorBody },
};
const json = (route: RouteContract | null, status: number, body: unknown): HttpExchange => ({
  method: 'GET',
  path: '/api/rooms/abcdefghij',
  route,
  status,
  contentType: 'application/json; charset=utf-8',
  body: JSON.stringify(body),
});

const servers: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

describe('contract check', () => {
  it('passes an answer that keeps its contract, and names what breaks one', () => {
    expect(httpViolation(json(getRoom, 200, room))).toBeNull();
    const noTimeouts: Partial<RoomT> = { ...room };
    delete noTimeouts.timeouts;
    expect(httpViolation(json(getRoom, 200, noTimeouts))).toMatch(/-> 200: .*timeouts/);
    expect(httpViolation(json(getRoom, 200, { ...room, status: 'sleeping' }))).toMatch(/\/status/);
    expect(httpViolation(json(getRoom, 200, { ...room, createdAt: 'yesterday' }))).toMatch(/date-time/);
  });

  it('a success without a declared contract fails; every error must be an ErrorBody', () => {
    const bare = { ...getRoom, response: {} };
    expect(httpViolation(json(bare, 200, room))).toMatch(/no contract for status 200/);
    expect(httpViolation({ ...json(bare, 204, null), body: '' })).toMatch(/no contract for status 204/);
    const error = { error: { code: 'conflict', message: 'no' } };
    expect(httpViolation(json(bare, 409, error))).toBeNull();
    expect(httpViolation(json(null, 404, error))).toBeNull();
    expect(httpViolation(json(null, 404, { message: 'Not Found' }))).toMatch(/required properties error/);
    expect(httpViolation(json(getRoom, 404, { error: 'not found' }))).toMatch(/\/error/);
  });

  it('pages and streams are not API answers, unless their route declares JSON', () => {
    const page = { ...json(null, 200, null), contentType: 'text/html', body: '<!doctype html>' };
    expect(httpViolation(page)).toBeNull();
    expect(httpViolation({ ...page, route: getRoom })).toMatch(/the contract is JSON/);
    expect(
      httpViolation({ ...json(getRoom, 200, room), route: { ...getRoom, hidden: true }, body: '{}' }),
    ).toBeNull();
  });

  it('session events: the union of contracts/src/session.ts, nothing else', () => {
    const you = { id: 'p1', name: 'Ann', role: 'participant' };
    expect(
      sessionEventViolation(JSON.stringify({ type: 'presence/leave', seq: 3, participantId: 'p1' })),
    ).toBeNull();
    expect(
      sessionEventViolation(
        JSON.stringify({ type: 'presence/join', seq: 4, participant: { ...you, joinedAt: 1 } }),
      ),
    ).toBeNull();
    expect(
      sessionEventViolation(JSON.stringify({ type: 'presence/join', seq: 4, participant: you })),
    ).not.toBeNull();
    expect(sessionEventViolation(JSON.stringify({ type: 'hello', protocol: 'x' }))).not.toBeNull();
    expect(sessionEventViolation(JSON.stringify({ type: 'party', seq: 1 }))).not.toBeNull();
    expect(sessionEventViolation('not json')).toMatch(/not JSON/);
  });

  it("the test app's hook checks each answer against the route that gave it", async () => {
    const app = Fastify();
    app.get('/api/undeclared', async () => ({ a: 1 }));
    app.get('/api/rooms/:id', { schema: { response: { 200: Room } } }, async () => ({
      ...room,
      createdAt: 'yesterday',
    }));
    checkAnswers(app);
    await app.ready();
    servers.push(app);
    expect((await app.inject({ url: '/api/undeclared' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/rooms/abcdefghij' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/nothing' })).statusCode).toBe(404);
    const found = await takeViolations();
    expect(found).toHaveLength(3);
    expect(found[0]).toMatch(/GET \/api\/undeclared -> 200: no contract/);
    expect(found[1]).toMatch(/createdAt must match format "date-time"/);
    // fastify's own 404 body is not ours: the dashboard's not-found handler answers an ErrorBody
    expect(found[2]).toMatch(/GET \/nothing -> 404: .*\/error/);
  });

  it("finds a real dashboard's route for a path, as fastify's router does", async () => {
    const resolve = await dashboardRoutes();
    const one = await resolve('GET', '/api/rooms/abcdefghij');
    expect(one?.url).toBe('/api/rooms/:id');
    expect(one?.response[200]).toBe(Room);
    expect((await resolve('POST', '/api/rooms/abcdefghij/control/give'))?.url).toBe(
      '/api/rooms/:id/control/give',
    );
    expect((await resolve('POST', '/api/rooms/abcdefghij/control/take'))?.url).toBe(
      '/api/rooms/:id/control/:action',
    );
    expect(await resolve('GET', '/api/nothing')).toBeNull();
  });

  it('what a watched dashboard answers fetch, and what a session socket receives, is checked', async () => {
    const http: Server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(req.url === '/api/rooms' ? { rooms: [{ ...room, fps: 'fast' }] } : { rooms: [] }),
      );
    });
    const wss = new WebSocketServer({ server: http });
    wss.on('connection', (ws) => {
      ws.send(JSON.stringify({ type: 'hello', seq: 0 }));
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    servers.push({ close: () => new Promise((r) => wss.close(() => http.close(r))) });
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    // not watched: nothing checked
    await (await fetch(`${url}/api/rooms`)).json();
    expect(await takeViolations()).toEqual([]);
    watchDashboard(url);
    await (await fetch(`${url}/api/rooms`)).json();
    await (await fetch(`${url}/api/rooms?stale`)).json();
    const found = await takeViolations();
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/GET \/api\/rooms -> 200: \/rooms\/0\/fps/);
    // a session socket whose hello lacks the state: openSession still sees it, the check flags it
    const session = await openSession(`${url.replace('http', 'ws')}/rooms/abcdefghij/session?token=x`);
    session.close();
    const events = await takeViolations();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatch(/^session event on 127\.0\.0\.1:\d+\/rooms\/abcdefghij\/session: /);
    expect(events[0]).not.toMatch(/token=/);
  });
});
