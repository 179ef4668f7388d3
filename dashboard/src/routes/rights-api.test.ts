import { decodeJwt, SignJWT, importPKCS8 } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, inviteOf, type TestApp } from '../testing/test-app.js';

describe('renewal, kick and revocation of tokens already issued', () => {
  let t: TestApp;
  let room: { id: string; links: Record<'participant' | 'viewer' | 'owner', string> };

  beforeEach(async () => {
    t = await buildTestApp();
    room = (await t.app.inject({ method: 'POST', url: '/api/rooms', headers: t.admin })).json();
  });
  afterEach(() => t.close());

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const join = async (role: 'participant' | 'viewer' | 'owner', name = 'Ann') => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/rooms/${room.id}/join`,
      payload: { invite: inviteOf(room.links[role]), name },
    });
    expect(res.statusCode).toBe(200);
    return res.json() as { token: string; participantId: string };
  };
  const renew = (token: string, id = room.id) =>
    t.app.inject({ method: 'POST', url: `/api/rooms/${id}/token`, headers: bearer(token) });
  const kick = (participantId: string, headers: Record<string, string>) =>
    t.app.inject({
      method: 'POST',
      url: `/api/rooms/${room.id}/participants/${participantId}/kick`,
      headers,
    });
  const getRoom = (token: string) =>
    t.app.inject({ method: 'GET', url: `/api/rooms/${room.id}`, headers: bearer(token) });

  it('renewal: same participant, role and name, a new expiry', async () => {
    const ann = await join('participant');
    const res = await renew(ann.token);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    const before = decodeJwt(ann.token);
    const after = decodeJwt(body.token);
    expect(after).toMatchObject({ sub: ann.participantId, role: 'participant', name: 'Ann', room: room.id });
    expect(after.exp! - after.iat!).toBe(3600);
    expect(after.exp!).toBeGreaterThanOrEqual(before.exp!);
    expect(new Date(body.expiresAt).getTime()).toBe(after.exp! * 1000);
    expect((await renew(body.token)).statusCode).toBe(200);
  });

  it('renewal: refused for the admin token, another room, agent-audience tokens and no bearer', async () => {
    const ann = await join('participant');
    expect(
      (await t.app.inject({ method: 'POST', url: `/api/rooms/${room.id}/token`, headers: t.admin }))
        .statusCode,
    ).toBe(400);
    expect((await t.app.inject({ method: 'POST', url: `/api/rooms/${room.id}/token` })).statusCode).toBe(401);
    const other = (await t.app.inject({ method: 'POST', url: '/api/rooms', headers: t.admin })).json();
    expect((await renew(ann.token, other.id)).statusCode).toBe(403);
    const key = await importPKCS8(t.secrets.privateKeyPem, 'EdDSA');
    const now = Math.floor(Date.now() / 1000);
    const agentToken = await new SignJWT({ room: room.id, role: 'operator', name: 'dashboard' })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setIssuer('boxroom')
      .setSubject('boxroom-dashboard')
      .setAudience('boxroom-agent')
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(key);
    const res = await renew(agentToken);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toMatch(/room agents only/);
  });

  it('kick: owner and operator 204; the kicked token is refused everywhere, others are not', async () => {
    const owner = await join('owner', 'Olga');
    const ann = await join('participant');
    const bob = await join('participant', 'Bob');
    const renewed = (await renew(ann.token)).json().token as string;
    expect((await kick(ann.participantId, bearer(owner.token))).statusCode).toBe(204);
    for (const token of [ann.token, renewed]) {
      const r = await renew(token);
      expect(r.statusCode).toBe(403);
      expect(r.json().error.message).toMatch(/removed/);
      expect((await getRoom(token)).statusCode).toBe(403);
    }
    expect((await renew(bob.token)).statusCode).toBe(200);
    expect((await kick(bob.participantId, t.admin)).statusCode).toBe(204);
    expect((await renew(bob.token)).statusCode).toBe(403);
    // the invite still works: a new join is a new participant (revoke the link to keep them out)
    expect((await join('participant')).participantId).not.toBe(ann.participantId);
  });

  it('kick: participants and viewers may not; nobody kicks themselves; 404 unknown room', async () => {
    const owner = await join('owner', 'Olga');
    const ann = await join('participant');
    const vic = await join('viewer', 'Vic');
    expect((await kick(vic.participantId, bearer(ann.token))).statusCode).toBe(403);
    expect((await kick(ann.participantId, bearer(vic.token))).statusCode).toBe(403);
    expect((await kick(owner.participantId, bearer(owner.token))).statusCode).toBe(400);
    expect((await kick('bad id!', t.admin)).statusCode).toBe(400);
    // never the operator or the dashboard's own identity: only participant ids
    expect((await kick('operator', bearer(owner.token))).statusCode).toBe(400);
    expect((await kick('boxroom-dashboard', bearer(owner.token))).statusCode).toBe(400);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/rooms/zzzzzzzzzz/participants/p00000000000/kick`,
          headers: t.admin,
        })
      ).statusCode,
    ).toBe(404);
  });

  it('revoke: tokens of that role issued before are refused, later joins and other roles work', async () => {
    const ann = await join('participant');
    const vic = await join('viewer', 'Vic');
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/rooms/${room.id}/invites/participant/revoke`,
      headers: t.admin,
    });
    expect(res.statusCode).toBe(200);
    const r = await renew(ann.token);
    expect(r.statusCode).toBe(401);
    expect(r.json().error.message).toMatch(/revoked/);
    expect((await renew(vic.token)).statusCode).toBe(200);
    room.links = res.json();
    // joined with the new link in the very second of the revocation: still accepted
    const newcomer = await join('participant', 'Neo');
    expect((await renew(newcomer.token)).statusCode).toBe(200);
  });

  it('kicks are kept in the data dir beside the invites (rights.json)', async () => {
    const ann = await join('participant');
    await kick(ann.participantId, t.admin);
    const file = JSON.parse(
      await import('node:fs/promises').then((fs) => fs.readFile(`${t.dataDir}/rights.json`, 'utf8')),
    );
    expect(Object.keys(file[room.id].kicked)).toEqual([ann.participantId]);
  });
});
