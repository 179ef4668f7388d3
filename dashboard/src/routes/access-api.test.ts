import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, inviteOf, type TestApp } from '../testing/test-app.js';

describe('join and invites API', () => {
  let t: TestApp;
  let room: { id: string; links: Record<'participant' | 'viewer' | 'owner', string> };

  beforeEach(async () => {
    t = await buildTestApp();
    room = (await t.app.inject({ method: 'POST', url: '/api/rooms', headers: t.admin })).json();
  });
  afterEach(() => t.close());

  const join = (invite: string, name = 'Ann', id = room.id) =>
    t.app.inject({ method: 'POST', url: `/api/rooms/${id}/join`, payload: { invite, name } });
  const revoke = (role: string, headers: Record<string, string> = t.admin, id = room.id) =>
    t.app.inject({ method: 'POST', url: `/api/rooms/${id}/invites/${role}/revoke`, headers });

  it('exchanges each invite for a token of its role with the contract claims', async () => {
    for (const role of ['participant', 'viewer', 'owner'] as const) {
      const res = await join(inviteOf(room.links[role]), ` Ann ${role} `);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ role, participantId: expect.stringMatching(/^p[a-z0-9]{11}$/) });
      const claims = decodeJwt(body.token);
      expect(Object.keys(claims).sort()).toEqual(['exp', 'iat', 'iss', 'name', 'role', 'room', 'sub']);
      expect(claims).toMatchObject({
        iss: 'boxroom',
        sub: body.participantId,
        room: room.id,
        role,
        name: `Ann ${role}`,
      });
      expect(claims.exp! - claims.iat!).toBe(3600);
      expect(new Date(body.expiresAt).getTime()).toBe(claims.exp! * 1000);
    }
  });

  it('the answer carries the room, so the page can start the stream without asking for it', async () => {
    const invite = inviteOf(room.links.viewer);
    const body = (await join(invite)).json();
    // what any invite holder may know: no links, no live figures
    expect(body.room).toEqual({
      id: room.id,
      name: `room ${room.id}`,
      status: 'ready',
      width: 1280,
      height: 720,
      fps: 30,
      app: 'terminal',
    });
    t.driver.setStatus(room.id, 'starting');
    expect((await join(invite)).json().room.status).toBe('starting');
  });

  it('each join is a new participant', async () => {
    const a = (await join(inviteOf(room.links.participant))).json();
    const b = (await join(inviteOf(room.links.participant))).json();
    expect(a.participantId).not.toBe(b.participantId);
  });

  it("401 for a wrong invite, or another room's invite", async () => {
    const other = (await t.app.inject({ method: 'POST', url: '/api/rooms', headers: t.admin })).json();
    for (const invite of ['nope', inviteOf(other.links.owner), inviteOf(room.links.owner).slice(1)]) {
      const res = await join(invite);
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toEqual({
        code: 'unauthorized',
        message: 'invite is invalid or has been revoked',
      });
    }
  });

  it('400 malformed, 404 unknown room, 409 failed room', async () => {
    const invite = inviteOf(room.links.participant);
    expect(
      (await t.app.inject({ method: 'POST', url: `/api/rooms/${room.id}/join`, payload: { invite } }))
        .statusCode,
    ).toBe(400);
    expect((await join(invite, '')).statusCode).toBe(400);
    expect((await join(invite, 'x'.repeat(65))).statusCode).toBe(400);
    expect((await join('', 'Ann')).statusCode).toBe(400);
    expect((await join(invite, 'Ann', 'BADID')).statusCode).toBe(400);
    expect((await join(invite, 'Ann', 'zzzzzzzzzz')).statusCode).toBe(404);
    t.driver.setStatus(room.id, 'failed');
    expect((await join(invite)).statusCode).toBe(409);
  });

  it('revoke: new links, the old one stops working, the others keep working', async () => {
    const res = await revoke('participant');
    expect(res.statusCode).toBe(200);
    const links = res.json();
    expect(links.participant).not.toBe(room.links.participant);
    expect(links.viewer).toBe(room.links.viewer);
    expect((await join(inviteOf(room.links.participant))).statusCode).toBe(401);
    expect((await join(inviteOf(links.participant))).statusCode).toBe(200);
    expect((await join(inviteOf(room.links.viewer))).statusCode).toBe(200);
  });

  it('revoke: owner may, participant and viewer may not, 401 without bearer', async () => {
    for (const role of ['participant', 'viewer'] as const) {
      const p = (await join(inviteOf(room.links[role]))).json();
      expect((await revoke('viewer', { authorization: `Bearer ${p.token}` })).statusCode).toBe(403);
    }
    const owner = (await join(inviteOf(room.links.owner))).json();
    expect((await revoke('viewer', { authorization: `Bearer ${owner.token}` })).statusCode).toBe(200);
    expect((await revoke('viewer', {})).statusCode).toBe(401);
    expect((await revoke('operator')).statusCode).toBe(400);
    expect((await revoke('viewer', t.admin, 'zzzzzzzzzz')).statusCode).toBe(404);
  });

  it('deleting a room forgets its invite generations', async () => {
    await revoke('viewer');
    await t.app.inject({ method: 'DELETE', url: `/api/rooms/${room.id}`, headers: t.admin });
    expect((await join(inviteOf(room.links.viewer))).statusCode).toBe(404);
  });
});
