import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OperatorSessions } from '../auth/operator-session.js';
import { ADMIN_TOKEN, buildTestApp, type TestApp } from '../testing/test-app.js';

const CARA = { id: 'oidc:cccccccccccccccccccccccccccccccc', name: 'Cara', role: 'creator' as const };

/** An OpenID Connect session as the callback issues it (oidc.int.test.ts goes through the real flow). */
describe('an account session cookie (v2)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await buildTestApp();
  });
  afterEach(() => t.close());

  it("acts as its account: GET /api/session says who, CSRF on changes, a creator's own rooms only", async () => {
    const s = new OperatorSessions(t.secrets.inviteKey, ADMIN_TOKEN).issue(CARA);
    const cookie = `boxroom_operator=${s.cookie}`;
    const me = await t.app.inject({ url: '/api/session', headers: { cookie } });
    expect(me.json()).toEqual({
      role: 'creator',
      account: CARA,
      via: 'oidc',
      csrf: s.csrf,
      expiresAt: new Date(s.expiresAt).toISOString(),
    });
    const bare = await t.app.inject({ method: 'POST', url: '/api/rooms', headers: { cookie }, payload: {} });
    expect(bare.statusCode).toBe(403);
    const headers = { cookie, 'x-csrf-token': s.csrf };
    const own = await t.app.inject({ method: 'POST', url: '/api/rooms', headers, payload: {} });
    expect(own.statusCode).toBe(201);
    const other = await t.app.inject({ method: 'POST', url: '/api/rooms', headers: t.admin, payload: {} });
    const list = await t.app.inject({ url: '/api/rooms', headers: { cookie } });
    expect(list.json().rooms.map((r: { id: string }) => r.id)).toEqual([own.json().id]);
    const del = await t.app.inject({ method: 'DELETE', url: `/api/rooms/${other.json().id}`, headers });
    expect([403, 404]).toContain(del.statusCode);
    expect((await t.app.inject({ url: '/api/accounts', headers: { cookie } })).statusCode).toBe(403);
  });

  it('without a provider configured: the page is told so, and login is 404', async () => {
    const info = await t.app.inject({ url: '/api/auth/oidc' });
    expect(info.json()).toEqual({ enabled: false, name: null, loginUrl: null });
    expect((await t.app.inject({ url: '/api/auth/oidc/login' })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/api/auth/oidc/callback?code=x&state=y' })).statusCode).toBe(404);
  });

  it('a callback without a flow cookie is refused unrecorded, and callbacks are rate-limited like sign-ins', async () => {
    const app = await buildTestApp({
      signInPerMin: 10,
      oidc: {
        // never asked: nothing here gets as far as the provider
        issuer: 'http://127.0.0.1:9/issuer',
        name: 'Test IdP',
        clientId: 'boxroom',
        clientSecret: null,
        clientSecretFile: null,
        scopes: ['openid'],
        roleClaim: 'groups',
        roles: [{ value: '*', role: 'creator' }],
        redirectUri: 'http://box.test/api/auth/oidc/callback',
      },
    });
    try {
      const statuses: number[] = [];
      for (const q of [
        'error=access_denied&error_description=forged+text',
        'code=x&state=y',
        'code=z&state=w',
      ])
        statuses.push((await app.app.inject({ url: `/api/auth/oidc/callback?${q}` })).statusCode);
      expect(statuses).toEqual([400, 400, 400]);
      let limited = 0;
      for (let i = 0; i < 8; i++)
        if ((await app.app.inject({ url: '/api/auth/oidc/callback?code=x' })).statusCode === 429) limited++;
      expect(limited).toBeGreaterThan(0);
      const trail = await app.app.inject({ url: '/api/audit', headers: app.admin });
      expect(trail.json().entries).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
