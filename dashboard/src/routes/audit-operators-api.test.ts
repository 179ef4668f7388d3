import type { AuditEntry, AuditList, CreatedApiToken } from '@boxroom/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, buildTestApp, type TestApp } from '../testing/test-app.js';

const CAROL = { authorization: 'Bearer brt_carol' };

/** What operators do to the dashboard itself reaches the audit trail: sign-ins, tokens, quotas. */
describe('audit of operator actions', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await buildTestApp({
      accounts: { brt_carol: { id: 'carol', name: 'Carol', role: 'creator' } },
      quotas: { roomsAtOnce: 1, roomHoursPerDay: null, recordingBytes: null },
    });
  });
  afterEach(() => t.close());

  const entries = async (): Promise<AuditEntry[]> => {
    const res = await t.app.inject({ url: '/api/audit', headers: t.admin });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<AuditList>().entries;
  };

  it('records sign-in (refused and accepted), sign-out, tokens made and revoked, quota changes and refusals, in order', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { token: 'x'.repeat(20) },
    });
    expect(bad.statusCode).toBe(401);
    const signIn = await t.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { token: ADMIN_TOKEN },
    });
    expect(signIn.statusCode).toBe(200);
    const cookie = String(signIn.headers['set-cookie']).split(';')[0]!;
    const signOut = await t.app.inject({
      method: 'DELETE',
      url: '/api/session',
      headers: { cookie, 'x-csrf-token': signIn.json().csrf },
    });
    expect(signOut.statusCode).toBe(204);

    const made = await t.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: CAROL,
      payload: { name: 'ci' },
    });
    expect(made.statusCode).toBe(201);
    const { token, secret } = made.json<CreatedApiToken>();
    const revoked = await t.app.inject({ method: 'DELETE', url: `/api/tokens/${token.id}`, headers: CAROL });
    expect(revoked.statusCode).toBe(204);

    const quota = await t.app.inject({
      method: 'PUT',
      url: '/api/accounts/carol/quota',
      headers: t.admin,
      payload: { roomsAtOnce: 1, recordingBytes: null },
    });
    expect(quota.statusCode, quota.body).toBe(200);
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/rooms', headers: CAROL, payload: {} })).statusCode,
    ).toBe(201);
    const over = await t.app.inject({ method: 'POST', url: '/api/rooms', headers: CAROL, payload: {} });
    expect(over.statusCode).toBe(409);
    expect(over.json().error.code).toBe('quota_exceeded');

    const trail = await entries();
    expect(trail.map((e) => [e.action, e.actor.id, e.actor.role, e.outcome])).toEqual([
      ['operator.signin', 'anonymous', 'anonymous', 'denied'],
      ['operator.signin', 'operator', 'admin', 'ok'],
      ['operator.signout', 'operator', 'admin', 'ok'],
      ['token.create', 'carol', 'creator', 'ok'],
      ['token.revoke', 'carol', 'creator', 'ok'],
      ['quota.change', 'operator', 'admin', 'ok'],
      ['room.create', 'carol', 'creator', 'ok'],
      ['room.create', 'carol', 'creator', 'denied'],
    ]);
    expect(trail[5]!.detail).toEqual({ account: 'carol', roomsAtOnce: 1, recordingBytes: null });
    expect(trail[7]!.detail).toMatchObject({ reason: 'quota_exceeded' });
    // no secret of any kind in the trail
    const all = JSON.stringify(trail);
    for (const s of [ADMIN_TOKEN, secret, secret.slice(-43), 'x'.repeat(20), cookie.split('=')[1]!])
      expect(all).not.toContain(s);
  });
});
