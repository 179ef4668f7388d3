import { AGENT_PROTOCOL_VERSION } from '@boxroom/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { startFakeAgent, type FakeAgent } from '../testing/fake-agent.js';
import { buildTestApp, type TestApp } from '../testing/test-app.js';

const closeOf = (ws: WebSocket) =>
  new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );

/**
 * After an upgrade, a restarted dashboard finds rooms started by the old build. Those whose agent
 * speaks another protocol are listed (flagged) but never driven.
 */
describe('rooms of another agent protocol', () => {
  let t: TestApp;
  const agents: FakeAgent[] = [];
  let current: string;
  let old: string;

  const room = async (protocol: number | undefined) => {
    const id: string = (await t.app.inject({ method: 'POST', url: '/api/rooms', headers: t.admin })).json()
      .id;
    const agent = await startFakeAgent(t.secrets.publicKeyPem, id);
    agent.protocol = protocol;
    agents.push(agent);
    t.driver.rooms.set(id, { ...t.driver.rooms.get(id)!, agentUrl: agent.url });
    return id;
  };

  beforeEach(async () => {
    t = await buildTestApp();
    current = await room(AGENT_PROTOCOL_VERSION);
    old = await room(undefined); // built before agents reported a version
  });
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.close();
    await t.close();
  });

  const control = (id: string) =>
    t.app.inject({ method: 'POST', url: `/api/rooms/${id}/control/take`, headers: t.admin });

  it('lists both, flagging the room whose agent speaks another protocol, and asks it nothing else', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/rooms', headers: t.admin });
    expect(res.statusCode).toBe(200);
    const rooms = res.json().rooms as Array<{ id: string; agentProtocol: unknown; viewers: unknown }>;
    expect(rooms.find((r) => r.id === current)).toMatchObject({
      agentProtocol: { version: AGENT_PROTOCOL_VERSION, compatible: true },
      viewers: 2,
    });
    expect(rooms.find((r) => r.id === old)).toMatchObject({
      agentProtocol: { version: null, compatible: false },
      viewers: null,
    });
    expect(agents[1]!.seen.map((s) => s.url)).toEqual(['/healthz']);
  });

  it('drives a room of its own protocol; refuses control and the room edge of another with 409 / a close reason', async () => {
    expect((await control(current)).statusCode).toBe(200);
    const refused = await control(old);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toMatch(/agent protocol \(none\).*speaks 1/);
    const snapshot = await t.app.inject({ method: 'GET', url: `/rooms/${old}/snapshot.jpg?token=x` });
    expect(snapshot.statusCode).toBe(409);
    // known by now: a WebSocket of the room edge is closed with the reason (a client may speak first,
    // so the edge does not wait to ask an agent it does not know yet)
    const ws = await t.app.injectWS(`/rooms/${old}/session?token=x`);
    const closed = await closeOf(ws);
    expect(closed.code).toBe(4503);
    expect(closed.reason).toMatch(/agent protocol/);
    expect(agents[1]!.seen.map((s) => s.url)).toEqual(['/healthz']);
  });

  it('asks each agent once, and again when the room comes back at another address', async () => {
    await t.app.inject({ method: 'GET', url: '/api/rooms', headers: t.admin });
    await t.app.inject({ method: 'GET', url: '/api/rooms', headers: t.admin });
    await control(old);
    expect(agents[1]!.seen.filter((s) => s.url === '/healthz')).toHaveLength(1);
    // the old room recreated by the new build: a new agent at a new address, of this protocol
    const again = await startFakeAgent(t.secrets.publicKeyPem, old);
    agents.push(again);
    t.driver.rooms.set(old, { ...t.driver.rooms.get(old)!, agentUrl: again.url });
    expect((await control(old)).statusCode).toBe(200);
  });
});
