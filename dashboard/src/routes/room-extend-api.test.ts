import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TemplateDefinition } from '@boxroom/contracts';
import { startFakeAgent, type FakeAgent } from '../testing/fake-agent.js';
import { roomWithAgent, type RoomWithAgent } from '../testing/room-with-agent.js';
import { buildTestApp, type TestApp } from '../testing/test-app.js';

/** A template whose rooms an owner may keep an hour at most. */
const SHORT: TemplateDefinition = {
  id: 'short',
  name: 'Short',
  app: 'terminal',
  policies: { maxTimeouts: { maxAgeS: 3600 } },
};

describe('PATCH /api/rooms/:id timeouts (extend a room)', () => {
  let t: TestApp;
  let agent: FakeAgent;
  let room: RoomWithAgent['room'];
  let tokens: RoomWithAgent['tokens'];

  beforeEach(async () => {
    t = await buildTestApp({ templates: [SHORT] });
    ({ room, agent, tokens } = await roomWithAgent(t, {
      template: 'short',
      timeouts: { maxAgeS: 600, noInputS: 300 },
    }));
  });
  afterEach(async () => {
    await agent.close();
    await t.close();
  });

  const patch = (headers: Record<string, string>, payload: unknown) =>
    t.app.inject({ method: 'PATCH', url: `/api/rooms/${room.id}`, headers, payload: payload as object });
  const bearer = (role: string) => ({ authorization: `Bearer ${tokens[role]!.token}` });
  const get = async () =>
    (await t.app.inject({ method: 'GET', url: `/api/rooms/${room.id}`, headers: t.admin })).json();

  it('owner: the named timeout changes, the rest stay; the agent is told them whole, GET and the list answer them', async () => {
    expect((await get()).timeouts).toEqual({ maxAgeS: 600, noViewersS: 0, noInputS: 300 });
    const res = await patch(bearer('owner'), { timeouts: { maxAgeS: 1800 } });
    expect(res.statusCode).toBe(200);
    const timeouts = { maxAgeS: 1800, noViewersS: 0, noInputS: 300 };
    expect(res.json().timeouts).toEqual(timeouts);
    expect(agent.settings).toEqual([
      {
        width: 1280,
        height: 720,
        settings: { clipboard: { copyOut: true, pasteIn: true }, files: { upload: true, download: true } },
        timeouts,
      },
    ]);
    expect((await get()).timeouts).toEqual(timeouts);
    const list = (await t.app.inject({ method: 'GET', url: '/api/rooms', headers: t.admin })).json();
    expect(list.rooms[0].timeouts).toEqual(timeouts);
    // a later change of something else keeps the extended timeouts
    const resized = await patch(bearer('owner'), { clipboard: { copyOut: false } });
    expect(resized.json().timeouts).toEqual(timeouts);
    expect(agent.live?.timeouts).toEqual(timeouts);
  });

  it("owner: bounded by the template's maximum like create (400 with its message); operator: not", async () => {
    const over = await patch(bearer('owner'), { timeouts: { maxAgeS: 7200 } });
    expect(over.statusCode).toBe(400);
    expect(over.json().error).toEqual({
      code: 'bad_request',
      message: 'timeouts.maxAgeS: template "short" allows 1 to 3600 s',
    });
    const off = await patch(bearer('owner'), { timeouts: { maxAgeS: 0 } });
    expect(off.statusCode).toBe(400);
    expect(agent.settings).toEqual([]);
    expect((await patch(bearer('owner'), { timeouts: { maxAgeS: 3600 } })).statusCode).toBe(200);
    const byOperator = await patch(t.admin, { timeouts: { maxAgeS: 7200 } });
    expect(byOperator.statusCode).toBe(200);
    expect(byOperator.json().timeouts.maxAgeS).toBe(7200);
  });

  it('participant and viewer: 403 and nothing changes; 400 past the contract maximum', async () => {
    for (const role of ['participant', 'viewer']) {
      const res = await patch(bearer(role), { timeouts: { maxAgeS: 1200 } });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    }
    for (const timeouts of [{ maxAgeS: -1 }, { maxAgeS: 31 * 24 * 3600 }, { idleS: 5 }]) {
      expect((await patch(t.admin, { timeouts })).statusCode, JSON.stringify(timeouts)).toBe(400);
    }
    expect(agent.settings).toEqual([]);
    expect((await get()).timeouts.maxAgeS).toBe(600);
  });

  it('409 from an agent of an earlier build that cannot take timeouts; nothing is stored', async () => {
    agent.takesTimeouts = false;
    const res = await patch(t.admin, { timeouts: { maxAgeS: 1800 } });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toMatch(/cannot change its timeouts/);
    expect((await get()).timeouts.maxAgeS).toBe(600);
  });
});

describe('extended timeouts after an agent restart the dashboard did not see', () => {
  it("the reaper's sweep tells the agent its extended timeouts again", async () => {
    const t = await buildTestApp({ roomPollMs: 50 });
    const { room, agent } = await roomWithAgent(t, { timeouts: { maxAgeS: 600 } });
    try {
      const res = await t.app.inject({
        method: 'PATCH',
        url: `/api/rooms/${room.id}`,
        headers: t.admin,
        payload: { timeouts: { maxAgeS: 3600 } },
      });
      expect(res.statusCode).toBe(200);
      const stored = agent.live!;
      expect(stored.timeouts?.maxAgeS).toBe(3600);
      // restarted: back at its created timeouts, which it does not report (they come from its env)
      agent.live = { width: stored.width, height: stored.height, settings: stored.settings };
      await vi.waitFor(() => expect(agent.live).toEqual(stored), { timeout: 3000, interval: 20 });
    } finally {
      await agent.close();
      await t.close();
    }
  });
});

describe('extend by operator accounts', () => {
  it("a creator extends its own room within the template's maximum, not another creator's", async () => {
    const t = await buildTestApp({
      templates: [SHORT],
      accounts: {
        brt_alice: { id: 'alice', name: 'Alice', role: 'creator' },
        brt_bob: { id: 'bob', name: 'Bob', role: 'creator' },
      },
    });
    let agent: FakeAgent | null = null;
    try {
      const as = (bearer: string) => ({ authorization: `Bearer ${bearer}` });
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/rooms',
        headers: as('brt_alice'),
        payload: { template: 'short', timeouts: { maxAgeS: 600 } },
      });
      expect(created.statusCode).toBe(201);
      const id = created.json<{ id: string }>().id;
      agent = await startFakeAgent(t.secrets.publicKeyPem, id);
      t.driver.rooms.set(id, { ...t.driver.rooms.get(id)!, agentUrl: agent.url });
      const patch = (bearer: string, maxAgeS: number) =>
        t.app.inject({
          method: 'PATCH',
          url: `/api/rooms/${id}`,
          headers: as(bearer),
          payload: { timeouts: { maxAgeS } },
        });
      expect((await patch('brt_alice', 7200)).statusCode).toBe(400);
      const ok = await patch('brt_alice', 1800);
      expect(ok.statusCode).toBe(200);
      expect(ok.json().timeouts.maxAgeS).toBe(1800);
      expect(agent.live?.timeouts?.maxAgeS).toBe(1800);
      expect([403, 404]).toContain((await patch('brt_bob', 1200)).statusCode);
    } finally {
      await agent?.close();
      await t.close();
    }
  });
});
