import { get, type IncomingMessage } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WS_CLOSE } from '@boxroom/contracts';
import { FLV_HEADER, flvKeyframe } from '../testing/flv-tags.js';
import { startFakeAgent, type FakeAgent } from '../testing/fake-agent.js';
import { buildTestApp, inviteOf, type TestApp } from '../testing/test-app.js';
import { until } from '../testing/until.js';

/** WS /rooms/:id/stream and GET stream.flv through the replica's relay (BOXROOM_RELAY=on, the default). */
describe('edge: the room stream through the relay', () => {
  let t: TestApp;
  let agent: FakeAgent;
  let roomId: string;
  let token: string;
  let port: number;
  const logLines: string[] = [];

  beforeEach(async () => {
    logLines.length = 0;
    t = await buildTestApp({ logLines });
    const room = (await t.app.inject({ method: 'POST', url: '/api/rooms', headers: t.admin })).json();
    roomId = room.id;
    agent = await startFakeAgent(t.secrets.publicKeyPem, roomId);
    t.driver.rooms.set(roomId, { ...t.driver.rooms.get(roomId)!, agentUrl: agent.url });
    const join = await t.app.inject({
      method: 'POST',
      url: `/api/rooms/${roomId}/join`,
      payload: { invite: inviteOf(room.links.viewer), name: 'v' },
    });
    token = join.json().token;
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as { port: number }).port;
  });
  afterEach(async () => {
    await t.close();
    await agent.close();
  });

  const viewer = (tok: string) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/rooms/${roomId}/stream?token=${tok}`);
    const got: Buffer[] = [];
    ws.on('message', (d: Buffer) => got.push(d));
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    return { ws, got, closed };
  };

  /** GET /rooms/:id/stream.flv: the response once its headers came, its body as it arrives. */
  const flvReader = (tok: string, bearer = false) => {
    const path = `/rooms/${roomId}/stream.flv${bearer ? '' : `?token=${tok}`}`;
    const headers = bearer ? { authorization: `Bearer ${tok}` } : undefined;
    const got: Buffer[] = [];
    let stop = () => {};
    let closed = () => {};
    const ended = new Promise<void>((resolve) => (closed = resolve));
    const res = new Promise<IncomingMessage>((resolve, reject) => {
      const req = get({ host: '127.0.0.1', port, path, headers }, (r) => {
        r.on('data', (d: Buffer) => got.push(d));
        r.once('close', closed);
        resolve(r);
      }).on('error', reject);
      stop = () => req.destroy();
    });
    const body = () => Buffer.concat(got);
    return { res, got, body, ended, stop: () => stop() };
  };

  it('serves every viewer of a room from one upstream, each admitted on its own token', async () => {
    const a = viewer(token);
    const b = viewer(token);
    await until(() => a.got.length >= 5 && b.got.length >= 5);
    expect(a.got[0]).toEqual(FLV_HEADER);
    expect(agent.relays).toHaveLength(1);
    expect(agent.relays[0]!.up.map((m) => m.type === 'join' && m.token === token)).toEqual([true, true]);
    const relayCall = agent.seen.find((s) => s.url.startsWith('/relay?'))!;
    expect(relayCall.url).not.toContain(token);
    expect(agent.seen.filter((s) => s.url.startsWith('/stream'))).toEqual([]);
    const metrics = await t.app.inject({ url: '/metrics', headers: t.admin });
    expect(metrics.body).toMatch(/^boxroom_relay_upstreams 1$/m);
    expect(metrics.body).toMatch(/^boxroom_relay_viewers 2$/m);
    a.ws.close();
    await until(() => agent.relays[0]!.up.some((m) => m.type === 'leave'));
    b.ws.close();
    expect(logLines.join('')).not.toContain(token);
  });

  it('a token the edge refuses opens no upstream', async () => {
    expect(await viewer('nope').closed).toBe(4401);
    expect(agent.relays).toHaveLength(0);
    expect(agent.seen.filter((s) => s.url.startsWith('/relay'))).toEqual([]);
  });

  it('an agent without WS /relay: its viewers are closed with 4503 once, then proxied 1:1', async () => {
    agent.relayMissing = true;
    expect(await viewer(token).closed).toBe(4503);
    const again = viewer(token);
    // the stand-in's /stream echoes: what the viewer sends comes back through the 1:1 proxy
    await new Promise((r) => again.ws.once('open', r));
    again.ws.send(Buffer.from([7]));
    await until(() => again.got.length > 0);
    expect(agent.seen.filter((s) => s.url.startsWith('/stream?'))).toHaveLength(1);
    expect(agent.relays).toHaveLength(0);
    again.ws.close();
  });

  it('HTTP-FLV readers share the WS viewers` upstream, headers once admitted, join burst first', async () => {
    const ws = viewer(token);
    const a = flvReader(token);
    const b = flvReader(token, true);
    const key = flvKeyframe(0);
    for (const r of [a, b]) {
      const res = await r.res;
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('video/x-flv');
      expect(res.headers['cache-control']).toBe('no-store');
      await until(() => r.body().includes(key));
      expect(r.body().subarray(0, FLV_HEADER.length)).toEqual(FLV_HEADER);
    }
    await until(() => ws.got.length >= 5);
    expect(agent.relays).toHaveLength(1);
    expect(agent.relays[0]!.up.filter((m) => m.type === 'join')).toHaveLength(3);
    expect(agent.seen.filter((s) => s.url.startsWith('/stream'))).toEqual([]);
    const metrics = await t.app.inject({ url: '/metrics', headers: t.admin });
    expect(metrics.body).toMatch(/^boxroom_relay_viewers 3$/m);
    a.stop();
    await until(() => agent.relays[0]!.up.some((m) => m.type === 'leave'));
    b.stop();
    ws.ws.close();
    expect(logLines.join('')).not.toContain(token);
  });

  it('a refusal at join is the status the agent`s GET /stream.flv answers, in the error shape', async () => {
    const cases: Array<[number, number, string]> = [
      [WS_CLOSE.kicked, 401, 'unauthorized'],
      [WS_CLOSE.tokenExpired, 401, 'unauthorized'],
      [WS_CLOSE.inviteRevoked, 401, 'unauthorized'],
      [WS_CLOSE.unauthorized, 401, 'unauthorized'],
      [WS_CLOSE.forbidden, 403, 'forbidden'],
      [WS_CLOSE.roomFailed, 410, 'gone'],
      [WS_CLOSE.unavailable, 503, 'unavailable'],
    ];
    for (const [code, status, errorCode] of cases) {
      agent.relayRefusal = { code, reason: `refused ${code}` };
      const r = flvReader(token);
      const res = await r.res;
      await r.ended;
      expect(res.statusCode).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(r.body().toString())).toEqual({
        error: { code: errorCode, message: `refused ${code}` },
      });
    }
    expect(agent.relays).toHaveLength(1);
  });

  it('a close after admission, or the upstream going, just ends the response', async () => {
    const a = flvReader(token);
    expect((await a.res).statusCode).toBe(200);
    const join = agent.relays[0]!.up.find((m) => m.type === 'join')!;
    agent.relays[0]!.send({ type: 'close', id: join.id, code: WS_CLOSE.kicked, reason: 'you were removed' });
    await a.ended;
    const b = flvReader(token);
    expect((await b.res).statusCode).toBe(200);
    agent.relays[0]!.ws.close(1001, 'agent stopping');
    await b.ended;
  });

  it('an agent without WS /relay: HTTP-FLV answers 503 once, then is proxied 1:1', async () => {
    agent.relayMissing = true;
    const first = flvReader(token);
    expect((await first.res).statusCode).toBe(503);
    const again = flvReader(token);
    expect((await again.res).statusCode).toBe(200);
    await again.ended;
    expect(again.body().subarray(0, 3).toString()).toBe('FLV');
    expect(agent.seen.filter((s) => s.url.startsWith('/stream.flv?'))).toHaveLength(1);
  });
});
