import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FakeAgent } from '../testing/fake-agent.js';
import { roomWithAgent, type RoomWithAgent } from '../testing/room-with-agent.js';
import { buildTestApp, type TestApp } from '../testing/test-app.js';

describe('desktop reset API', () => {
  let t: TestApp;
  let agent: FakeAgent;
  let room: RoomWithAgent['room'];
  let tokens: RoomWithAgent['tokens'];

  beforeEach(async () => {
    t = await buildTestApp();
    ({ room, agent, tokens } = await roomWithAgent(t));
  });
  afterEach(async () => {
    await agent.close();
    await t.close();
  });

  const reset = (headers: Record<string, string>, id = room.id) =>
    t.app.inject({ method: 'POST', url: `/api/rooms/${id}/desktop/reset`, headers });
  const bearer = (role: string) => ({ authorization: `Bearer ${tokens[role]!.token}` });

  it('owner: 202, forwarded to the agent with an agent-audience token naming the owner', async () => {
    const res = await reset(bearer('owner'));
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ room: room.id, status: 'resetting' });
    const call = agent.seen.find((s) => s.url === '/desktop/reset');
    expect(call?.method).toBe('POST');
    // not the owner's own token: the dashboard's command token
    expect(call?.authorization).not.toBe(`Bearer ${tokens.owner!.token}`);
    expect(decodeJwt(call!.authorization!.slice(7))).toMatchObject({
      aud: 'boxroom-agent',
      room: room.id,
      sub: tokens.owner!.participantId,
      role: 'owner',
    });
    expect(agent.resets).toHaveLength(1);
  });

  it('operator (admin credential): 202', async () => {
    expect((await reset(t.admin)).statusCode).toBe(202);
    expect(agent.resets[0]).toMatchObject({ aud: 'boxroom-agent', sub: 'operator', role: 'operator' });
  });

  it('participant and viewer: 403, the agent is not asked; 401 without a bearer', async () => {
    for (const role of ['participant', 'viewer']) {
      const res = await reset(bearer(role));
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toEqual({
        code: 'forbidden',
        message: `a ${role} may not desktop/reset this room`,
      });
    }
    expect((await reset({})).statusCode).toBe(401);
    expect(agent.seen.filter((s) => s.url === '/desktop/reset')).toEqual([]);
  });

  it('400 malformed id, 404 unknown room, 503 room not running or agent down', async () => {
    expect((await reset(t.admin, 'BAD')).statusCode).toBe(400);
    expect((await reset(t.admin, 'zzzzzzzzzz')).statusCode).toBe(404);
    t.driver.setStatus(room.id, 'failed');
    expect((await reset(t.admin)).statusCode).toBe(503);
    t.driver.setStatus(room.id, 'ready');
    await agent.close();
    const res = await reset(bearer('owner'));
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('unavailable');
  });

  it('is in the OpenAPI document with its 202 answer', async () => {
    const spec = (await t.app.inject('/openapi.json')).json();
    const op = spec.paths['/api/rooms/{id}/desktop/reset'].post;
    expect(op.tags).toEqual(['desktop']);
    expect(Object.keys(op.responses)).toEqual(
      expect.arrayContaining(['202', '400', '401', '403', '404', '503']),
    );
    const ok = op.responses['202'].content['application/json'].schema;
    expect(Object.keys(ok.properties)).toEqual(['room', 'status']);
    expect(JSON.stringify(ok.properties.status)).toContain('"resetting"');
  });
});
