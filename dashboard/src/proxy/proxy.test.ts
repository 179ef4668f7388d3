import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startFakeAgent, type FakeAgent } from '../testing/fake-agent.js';
import { buildTestApp, inviteOf, type TestApp } from '../testing/test-app.js';

const closeOf = (ws: WebSocket) =>
  new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
const nextMessage = (ws: WebSocket) =>
  new Promise<{ data: Buffer; isBinary: boolean }>((resolve) =>
    ws.once('message', (data, isBinary) => resolve({ data: data as Buffer, isBinary })),
  );

// WS /rooms/:id/stream and GET stream.flv proxied 1:1 (BOXROOM_RELAY=off); through the relay: relay-edge.test.ts
describe('edge proxy /rooms/:id/*', () => {
  let t: TestApp;
  let agent: FakeAgent;
  let room: { id: string; links: Record<'participant' | 'viewer' | 'owner', string> };
  let token: string;
  let viewerToken: string;
  const logLines: string[] = [];

  beforeEach(async () => {
    logLines.length = 0;
    t = await buildTestApp({ logLines, relay: false });
    room = (await t.app.inject({ method: 'POST', url: '/api/rooms', headers: t.admin })).json();
    agent = await startFakeAgent(t.secrets.publicKeyPem, room.id);
    t.driver.rooms.set(room.id, { ...t.driver.rooms.get(room.id)!, agentUrl: agent.url });
    const join = async (role: 'participant' | 'viewer') =>
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/rooms/${room.id}/join`,
          payload: { invite: inviteOf(room.links[role]), name: role },
        })
      ).json().token as string;
    token = await join('participant');
    viewerToken = await join('viewer');
  });
  afterEach(async () => {
    await agent.close();
    await t.close();
  });

  describe('HTTP', () => {
    it('streams FLV from the agent, passing ?token= through and never logging it', async () => {
      const res = await t.app.inject(`/rooms/${room.id}/stream.flv?token=${token}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('video/x-flv');
      expect(res.rawPayload.subarray(0, 3).toString()).toBe('FLV');
      expect(res.rawPayload[13]).toBe(9); // first tag: video
      expect(agent.seen.at(-1)?.url).toBe(`/stream.flv?token=${token}`);
      expect(logLines.join('')).not.toContain(token);
      expect(logLines.join('')).toContain(`/rooms/${room.id}/stream.flv?[redacted]`);
    });

    it("passes the agent's 401 on, and a bearer header for snapshots", async () => {
      const bad = await t.app.inject(`/rooms/${room.id}/stream.flv?token=nope`);
      expect(bad.statusCode).toBe(401);
      expect(bad.json().error.code).toBe('unauthorized');
      const snap = await t.app.inject({
        url: `/rooms/${room.id}/snapshot.jpg`,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(snap.statusCode).toBe(200);
      expect(snap.headers['content-type']).toBe('image/jpeg');
      expect([...snap.rawPayload]).toEqual([0xff, 0xd8, 0xff, 0xd9]);
    });

    it('400 malformed id, 404 unknown room or path, 503 room not running or agent down', async () => {
      expect((await t.app.inject('/rooms/NOPE/stream.flv')).statusCode).toBe(400);
      expect((await t.app.inject('/rooms/zzzzzzzzzz/stream.flv')).statusCode).toBe(404);
      expect((await t.app.inject(`/rooms/${room.id}/state`)).statusCode).toBe(404);
      t.driver.setStatus(room.id, 'stopping');
      expect((await t.app.inject(`/rooms/${room.id}/snapshot.jpg?token=${token}`)).statusCode).toBe(503);
      t.driver.setStatus(room.id, 'ready');
      await agent.close();
      const down = await t.app.inject(`/rooms/${room.id}/stream.flv?token=${token}`);
      expect(down.statusCode).toBe(503);
      expect(down.json().error.code).toBe('unavailable');
    });
  });

  describe('WebSocket', () => {
    it('session: text stays text, subprotocol and token pass through, token not logged', async () => {
      const ws = await t.app.injectWS(`/rooms/${room.id}/session?token=${token}`, {
        protocols: ['binary'],
      } as never);
      const hello = await nextMessage(ws);
      expect(hello.isBinary).toBe(false);
      expect(JSON.parse(hello.data.toString())).toMatchObject({ type: 'hello' });
      ws.send(JSON.stringify({ type: 'ping', t: 1 }));
      const echo = await nextMessage(ws);
      expect(echo.isBinary).toBe(false);
      expect(echo.data.toString()).toBe('{"type":"ping","t":1}');
      expect(agent.seen.some((s) => s.url === `/session?token=${token}`)).toBe(true);
      ws.close(1000);
      await sleep(50);
      expect(logLines.join('')).not.toContain(token);
    });

    it('input: binary stays binary both ways', async () => {
      const ws = await t.app.injectWS(`/rooms/${room.id}/input?token=${token}`);
      const bytes = Buffer.from([0, 1, 2, 253, 254, 255]);
      ws.send(bytes);
      const echo = await nextMessage(ws);
      expect(echo.isBinary).toBe(true);
      expect(Buffer.compare(echo.data, bytes)).toBe(0);
      ws.close();
    });

    it('a plain GET of a WebSocket endpoint is a 400 in the error shape, not an empty 404', async () => {
      // found by the fuzz test: @fastify/websocket answers such GETs (and HEADs) with an empty 404
      for (const path of ['stream', 'input', 'session']) {
        for (const method of ['GET', 'HEAD'] as const) {
          const res = await t.app.inject({ method, url: `/rooms/${room.id}/${path}?token=${token}` });
          expect(res.statusCode, `${method} ${path}`).toBe(400);
          if (method === 'GET') expect(res.json().error.code).toBe('bad_request');
        }
      }
      // and upgrades still work
      const ws = await t.app.injectWS(`/rooms/${room.id}/session?token=${token}`);
      expect(JSON.parse((await nextMessage(ws)).data.toString())).toMatchObject({ type: 'hello' });
      ws.close();
    });

    it("preserves the agent's close codes: 4401 bad token, 4403 forbidden, 4409 revoked", async () => {
      const bad = await t.app.injectWS(`/rooms/${room.id}/stream?token=nope`);
      expect(await closeOf(bad)).toEqual({ code: 4401, reason: 'invalid token' });
      const viewer = await t.app.injectWS(`/rooms/${room.id}/input?token=${viewerToken}`);
      expect(await closeOf(viewer)).toEqual({ code: 4403, reason: 'you are not in control' });
      const input = await t.app.injectWS(`/rooms/${room.id}/input?token=${token}`);
      input.send('close-4409');
      expect(await closeOf(input)).toEqual({ code: 4409, reason: 'control passed to someone else' });
    });

    it('checks the token the agent will read: on a WebSocket the query, never a header it does not see', async () => {
      // a valid bearer header and another token in the query: the agent would judge the query's
      const ws = await t.app.injectWS(`/rooms/${room.id}/session?token=nope`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const before = agent.seen.length;
      expect(await closeOf(ws)).toEqual({ code: 4401, reason: 'invalid token' });
      expect(agent.seen.slice(before).filter((r) => r.url.startsWith('/session'))).toEqual([]);
      // two tokens in the query: refused at the edge, as the agent's query parser refuses them
      const twice = await t.app.injectWS(`/rooms/${room.id}/session?token=${token}&token=${token}`);
      expect((await closeOf(twice)).code).toBe(4401);
    });

    it("passes the client's close code to the agent", async () => {
      // over real sockets: the close handshake needs both ends to finish
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = t.app.server.address() as { port: number };
      const ws = new WebSocket(`ws://127.0.0.1:${port}/rooms/${room.id}/session?token=${token}`);
      await nextMessage(ws);
      const upstream = agent.sockets.get('session')!;
      const closed = closeOf(upstream);
      ws.close(4000, 'bye');
      expect(await closed).toEqual({ code: 4000, reason: 'bye' });
    });

    it('4404 unknown room, 4503 room not running or agent down', async () => {
      expect((await closeOf(await t.app.injectWS('/rooms/zzzzzzzzzz/stream'))).code).toBe(4404);
      t.driver.setStatus(room.id, 'failed');
      expect((await closeOf(await t.app.injectWS(`/rooms/${room.id}/stream?token=${token}`))).code).toBe(
        4503,
      );
      t.driver.setStatus(room.id, 'ready');
      await agent.close();
      expect((await closeOf(await t.app.injectWS(`/rooms/${room.id}/stream?token=${token}`))).code).toBe(
        4503,
      );
    });

    it('a failed room whose agent is gone: close 4504 with why (no reconnecting for ever), HTTP 410', async () => {
      t.driver.rooms.set(room.id, { ...t.driver.rooms.get(room.id)!, status: 'failed', agentUrl: null });
      for (const path of ['stream', 'session', 'input']) {
        const c = await closeOf(await t.app.injectWS(`/rooms/${room.id}/${path}?token=${token}`));
        expect(c.code).toBe(4504);
        expect(c.reason).toBe(`room ${room.id} has failed: its desktop cannot come back; create a new room`);
      }
      const res = await t.app.inject(`/rooms/${room.id}/stream.flv?token=${token}`);
      expect(res.statusCode).toBe(410);
      expect(res.json().error.code).toBe('gone');
    });

    it('an agent that vanishes mid-stream closes the client with 4503', async () => {
      const ws = await t.app.injectWS(`/rooms/${room.id}/stream?token=${token}`);
      ws.send(Buffer.from([1]));
      await nextMessage(ws);
      const closed = closeOf(ws);
      agent.sockets.get('stream')!.terminate();
      expect((await closed).code).toBe(4503);
    });

    it('400 on a malformed id', async () => {
      await expect(t.app.injectWS('/rooms/BAD/stream')).rejects.toThrow(/400/);
    });
  });

  it("passes the agent's pings to the client behind the data before them, and only the client's pongs back", async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const addr = t.app.server.address() as { port: number };
    const client = new WebSocket(`ws://127.0.0.1:${addr.port}/rooms/${room.id}/stream?token=${token}`);
    const seen: string[] = [];
    client.on('message', (data: Buffer) => seen.push(`message ${data.length}`));
    client.on('ping', (data: Buffer) => seen.push(`ping ${data.toString()}`));
    await new Promise((r) => client.once('open', r));
    let upstream: WebSocket | undefined;
    for (let i = 0; i < 100 && !(upstream = agent.sockets.get('stream')); i++) await sleep(10);
    const pongs: string[] = [];
    upstream!.on('pong', (data: Buffer) => pongs.push(data.toString()));

    client.pause(); // reads nothing yet: a pong would have to come from the dashboard
    upstream!.send(Buffer.alloc(100_000, 1));
    upstream!.ping('lag-1');
    await sleep(300);
    expect(pongs).toEqual([]);
    client.resume();
    for (let i = 0; i < 100 && pongs.length === 0; i++) await sleep(10);
    expect(seen).toEqual(['message 100000', 'ping lag-1']);
    await sleep(100);
    expect(pongs).toEqual(['lag-1']); // the client's own pong (ws answers pings), and no other
    client.close();
  });

  it('backpressure: a client that stops reading stops the proxy reading from the agent, nothing is lost', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const addr = t.app.server.address() as { port: number };
    const client = new WebSocket(`ws://127.0.0.1:${addr.port}/rooms/${room.id}/stream?token=${token}`);
    await new Promise((r) => client.once('open', r));
    client.pause();
    let upstream: WebSocket | undefined;
    for (let i = 0; i < 100 && !(upstream = agent.sockets.get('stream')); i++) await sleep(10);
    expect(upstream).toBeDefined();

    const CHUNK = Buffer.alloc(64 * 1024, 7);
    const TOTAL = 48 * 1024 * 1024;
    for (let sent = 0; sent < TOTAL; sent += CHUNK.length) upstream!.send(CHUNK);
    await sleep(500);
    // The proxy paused: most of the data still waits at the agent, not in the dashboard's memory.
    expect(upstream!.bufferedAmount).toBeGreaterThan(TOTAL / 3);

    let received = 0;
    const done = new Promise<void>((resolve) =>
      client.on('message', (data: Buffer) => {
        received += data.length;
        if (received >= TOTAL) resolve();
      }),
    );
    client.resume();
    await done;
    expect(received).toBe(TOTAL);
    client.close();
  }, 20_000);
});
