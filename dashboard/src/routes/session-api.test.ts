import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { responseHeaders } from '../proxy/http-proxy.js';
import { loadSecrets } from '../secrets/secret-store.js';
import { FakeDriver } from '../testing/fake-driver.js';
import { ADMIN_TOKEN, buildTestApp, type TestApp } from '../testing/test-app.js';

const cookieOf = (setCookie: string | string[] | undefined) =>
  String(Array.isArray(setCookie) ? setCookie[0] : setCookie).split(';')[0]!;

describe('operator session cookie (the page never keeps the admin token)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await buildTestApp();
  });
  afterEach(async () => t.close());

  it('trades the admin token for an HttpOnly SameSite=Strict cookie and a CSRF token', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/session', payload: { token: ADMIN_TOKEN } });
    expect(res.statusCode).toBe(200);
    const set = String(res.headers['set-cookie']);
    expect(set).toMatch(
      /^boxroom_operator=v1\.\d+\.[\w-]+\.[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43\d{3}$/,
    );
    expect(set).not.toContain(ADMIN_TOKEN);
    const { csrf } = res.json();
    const cookie = cookieOf(res.headers['set-cookie']);

    // reads need the cookie only
    expect((await t.app.inject({ url: '/api/rooms', headers: { cookie } })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/session', headers: { cookie } })).json().csrf).toBe(csrf);
    // changes need the CSRF token as well
    const bare = await t.app.inject({ method: 'POST', url: '/api/rooms', headers: { cookie } });
    expect(bare.statusCode).toBe(403);
    expect(bare.json().error.message).toMatch(/CSRF/);
    const wrong = { cookie, 'x-csrf-token': `${csrf.slice(0, -2)}xx` };
    expect((await t.app.inject({ method: 'POST', url: '/api/rooms', headers: wrong })).statusCode).toBe(403);
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/rooms',
      headers: { cookie, 'x-csrf-token': csrf },
    });
    expect(ok.statusCode).toBe(201);
    // API clients keep using the bearer, with no CSRF token
    expect((await t.app.inject({ method: 'POST', url: '/api/rooms', headers: t.admin })).statusCode).toBe(
      201,
    );

    // sign out clears the cookie
    const out = await t.app.inject({
      method: 'DELETE',
      url: '/api/session',
      headers: { cookie, 'x-csrf-token': csrf },
    });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/^boxroom_operator=; .*Max-Age=0/);
  });

  it('refuses a wrong token, a participant token, a tampered or absent cookie', async () => {
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/session', payload: { token: 'x'.repeat(30) } }))
        .statusCode,
    ).toBe(401);
    const res = await t.app.inject({ method: 'POST', url: '/api/session', payload: { token: ADMIN_TOKEN } });
    const cookie = cookieOf(res.headers['set-cookie']);
    const tampered = cookie.replace(/\.(\d+)\./, (_m, exp: string) => `.${Number(exp) + 1000}.`);
    expect((await t.app.inject({ url: '/api/rooms', headers: { cookie: tampered } })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/session' })).statusCode).toBe(401);
    expect(
      (await t.app.inject({ url: '/api/rooms', headers: { cookie: 'boxroom_operator=v1.1.a.b' } }))
        .statusCode,
    ).toBe(401);
  });

  it('a cookie made under another admin token is worthless', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/session', payload: { token: ADMIN_TOKEN } });
    const cookie = cookieOf(res.headers['set-cookie']);
    const dataDir = await mkdtemp(join(tmpdir(), 'boxroom-session-'));
    const other = await buildApp({
      config: { dataDir, publicUrl: 'http://box.test', maxRooms: 5, tokenTtlS: 3600 },
      log: pino({ level: 'silent' }),
      driver: new FakeDriver(),
      secrets: {
        ...t.secrets,
        ...(await loadSecrets(dataDir, 'another-admin-token-0123456789')),
        inviteKey: t.secrets.inviteKey,
      },
    });
    try {
      expect((await other.inject({ url: '/api/rooms', headers: { cookie } })).statusCode).toBe(401);
    } finally {
      await other.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('security headers', () => {
  it('every answer: nosniff, no referrer, no framing; pages: a CSP with the inline script hashed', async () => {
    const webDir = await mkdtemp(join(tmpdir(), 'boxroom-web-'));
    await writeFile(join(webDir, 'index.html'), '<html><head><script>console.log(1)</script></head></html>');
    const dataDir = await mkdtemp(join(tmpdir(), 'boxroom-csp-'));
    const app = await buildApp({
      config: { dataDir, publicUrl: 'http://box.test', maxRooms: 5, tokenTtlS: 3600 },
      log: pino({ level: 'silent' }),
      driver: new FakeDriver(),
      secrets: await loadSecrets(dataDir, ADMIN_TOKEN),
      webDir,
    });
    try {
      for (const url of ['/', '/r/abc', '/healthz', '/api/rooms']) {
        const res = await app.inject(url);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['referrer-policy']).toBe('no-referrer');
        expect(res.headers['x-frame-options']).toBe('DENY');
      }
      const csp = String((await app.inject('/r/abc')).headers['content-security-policy']);
      // sha256 of "console.log(1)"
      expect(csp).toContain("script-src 'self' 'sha256-CihokcEcBW4atb/CW/XWsvWwbTjqwQlE9nj9ii5ww5M='");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toContain('unsafe-eval');
    } finally {
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
      await rm(webDir, { recursive: true, force: true });
    }
  });

  it("the edge forwards only an allowlist of the agent's response headers", () => {
    const out = responseHeaders({
      'content-type': 'video/x-flv',
      'cache-control': 'no-store',
      'set-cookie': ['boxroom_operator=evil'],
      'content-security-policy': 'default-src *',
      'access-control-allow-origin': '*',
      location: 'https://evil.test/',
      'x-powered-by': 'room',
      connection: 'keep-alive',
    });
    expect(out).toEqual({
      'content-type': 'video/x-flv',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    });
  });
});
