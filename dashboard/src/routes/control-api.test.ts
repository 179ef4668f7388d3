import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FakeAgent } from '../testing/fake-agent.js';
import { roomWithAgent, type RoomWithAgent } from '../testing/room-with-agent.js';
import { buildTestApp, type TestApp } from '../testing/test-app.js';

describe('control API', () => {
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

  const bearer = (role: string) =>
    role === 'operator' ? t.admin : { authorization: `Bearer ${tokens[role]!.token}` };
  const act = (action: string, role: string, payload?: object, id = room.id) =>
    t.app.inject({
      method: 'POST',
      url: `/api/rooms/${id}/control/${action}`,
      headers: bearer(role),
      payload,
    });

  it('a participant requests and releases with its own token, forwarded as is', async () => {
    const res = await act('request', 'participant');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      seq: 1,
      holder: { id: tokens.participant!.participantId, role: 'participant' },
    });
    expect(agent.seen.at(-1)).toMatchObject({
      method: 'POST',
      url: '/control/request',
      authorization: `Bearer ${tokens.participant!.token}`,
    });
    expect((await act('release', 'participant')).json()).toMatchObject({ seq: 2, holder: null });
  });

  it('the operator acts through a minted operator token', async () => {
    const res = await act('take', 'operator');
    expect(res.statusCode).toBe(200);
    expect(res.json().holder).toEqual({ id: 'operator', name: 'operator', role: 'operator' });
  });

  it('owner may take, give, reset, lock; participants only give what they hold', async () => {
    for (const action of ['take', 'reset', 'lock', 'unlock'])
      expect((await act(action, 'owner')).statusCode, action).toBe(200);
    const give = await act('give', 'owner', { participantId: tokens.participant!.participantId });
    expect(give.statusCode).toBe(200);
    expect(give.json().holder.id).toBe(tokens.participant!.participantId);
    for (const action of ['take', 'reset', 'lock'])
      expect((await act(action, 'participant')).statusCode, action).toBe(403);
    // the participant holds control now (the owner gave it): they may hand it on
    expect((await act('give', 'participant', { participantId: 'x' })).statusCode).toBe(200);
    expect((await act('give', 'participant', { participantId: 'y' })).statusCode).toBe(403);
  });

  it('a viewer may do nothing; 401 without a bearer', async () => {
    for (const action of ['request', 'release', 'take', 'reset']) {
      const res = await act(action, 'viewer');
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    }
    const res = await t.app.inject({ method: 'POST', url: `/api/rooms/${room.id}/control/request` });
    expect(res.statusCode).toBe(401);
  });

  it("passes the agent's refusals on: 404 unknown participant", async () => {
    const res = await act('give', 'owner', { participantId: 'nobody' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toBe('that participant is not in the room');
  });

  it('400 malformed, 404 unknown room, 403 token for another room', async () => {
    expect((await act('steal', 'owner')).statusCode).toBe(400);
    // without a participantId: to the first in the queue; nobody waits here
    expect((await act('give', 'owner', {})).statusCode).toBe(409);
    expect((await act('give', 'owner', { participantId: '' })).statusCode).toBe(400);
    expect((await act('request', 'operator', undefined, 'BAD')).statusCode).toBe(400);
    expect((await act('request', 'operator', undefined, 'zzzzzzzzzz')).statusCode).toBe(404);
    const other = (await t.app.inject({ method: 'POST', url: '/api/rooms', headers: t.admin })).json();
    expect((await act('request', 'participant', undefined, other.id)).statusCode).toBe(403);
  });

  it('503 when the agent is not reachable or the room is not running', async () => {
    t.driver.setStatus(room.id, 'failed');
    expect((await act('request', 'participant')).statusCode).toBe(503);
    t.driver.setStatus(room.id, 'ready');
    await agent.close();
    const res = await act('request', 'participant');
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toEqual({
      code: 'unavailable',
      message: `room ${room.id} is not available right now`,
    });
  });
});
