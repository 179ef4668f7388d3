import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FLV_HEADER } from '../testing/flv-tags.js';
import { startFakeAgent, type FakeAgent } from '../testing/fake-agent.js';
import { buildTestApp, inviteOf, type TestApp } from '../testing/test-app.js';
import { until } from '../testing/until.js';

/** WS /rooms/:id/stream through the replica's relay (BOXROOM_RELAY=on, the default). */
describe('edge: WS /rooms/:id/stream through the relay', () => {
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
});
