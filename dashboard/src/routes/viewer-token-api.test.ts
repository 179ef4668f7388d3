import { decodeJwt } from 'jose';
import type { AuditList, ViewerToken } from '@boxroom/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VIEWER_TOKEN_TTL_S } from '../rooms/join-service.js';
import { ADMIN_TOKEN, buildTestApp, inviteOf, type TestApp } from '../testing/test-app.js';

const CAROL = { authorization: 'Bearer brt_carol' };
const DAN = { authorization: 'Bearer brt_dan' };
const cookieOf = (setCookie: string | string[] | undefined) =>
  String(Array.isArray(setCookie) ? setCookie[0] : setCookie).split(';')[0]!;

describe('POST /api/rooms/:id/viewer-token', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await buildTestApp({
      accounts: {
        brt_carol: { id: 'carol', name: 'Carol', role: 'creator' },
        brt_dan: { id: 'dan', name: 'Dan', role: 'creator' },
      },
    });
  });
  afterEach(() => t.close());

  const post = (id: string, headers: Record<string, string>) =>
    t.app.inject({ method: 'POST', url: `/api/rooms/${id}/viewer-token`, headers });
  const createRoom = async (headers: Record<string, string>) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/rooms', headers, payload: {} });
    expect(res.statusCode).toBe(201);
    return res.json<{ id: string; links: Record<string, string> }>();
  };

  it('gives accounts that may watch the room a short-lived viewer token, and joins nobody', async () => {
    const room = await createRoom(CAROL);
    for (const headers of [CAROL, t.admin]) {
      const res = await post(room.id, headers);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json<ViewerToken>();
      expect(body.role).toBe('viewer');
      const claims = decodeJwt(body.token);
      expect(claims).toMatchObject({ room: room.id, role: 'viewer', sub: body.participantId });
      expect(claims.exp! - claims.iat!).toBe(VIEWER_TOKEN_TTL_S);
      expect(Date.parse(body.expiresAt)).toBe(claims.exp! * 1000);
      // the token works for the room: the API takes it as a viewer of it
      const seen = await t.app.inject({
        url: `/api/rooms/${room.id}`,
        headers: { authorization: `Bearer ${body.token}` },
      });
      expect(seen.statusCode).toBe(200);
    }
    const audit = await t.app.inject({ url: '/api/audit', headers: t.admin });
    expect(audit.json<AuditList>().entries.map((e) => e.action)).toEqual(['room.create']);
  });

  it('works with the operator session cookie and its CSRF token', async () => {
    const room = await createRoom(t.admin);
    const signIn = await t.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { token: ADMIN_TOKEN },
    });
    const cookie = cookieOf(signIn.headers['set-cookie']);
    expect((await post(room.id, { cookie })).statusCode).toBe(403);
    const res = await post(room.id, { cookie, 'x-csrf-token': signIn.json<{ csrf: string }>().csrf });
    expect(res.statusCode, res.body).toBe(200);
    expect(decodeJwt(res.json<ViewerToken>().token)).toMatchObject({ room: room.id, role: 'viewer' });
  });

  it('refuses creators of other rooms and room tokens (403), no bearer (401), unknown rooms (404)', async () => {
    const room = await createRoom(CAROL);
    expect((await post(room.id, DAN)).statusCode).toBe(403);
    const joined = await t.app.inject({
      method: 'POST',
      url: `/api/rooms/${room.id}/join`,
      payload: { invite: inviteOf(room.links.owner!), name: 'Olive' },
    });
    const owner = { authorization: `Bearer ${joined.json<{ token: string }>().token}` };
    expect((await post(room.id, owner)).statusCode).toBe(403);
    expect((await post(room.id, {})).statusCode).toBe(401);
    expect((await post('zzzzzzzzzz', t.admin)).statusCode).toBe(404);
    expect((await post('NOT-AN-ID', t.admin)).statusCode).toBe(400);
  });
});
