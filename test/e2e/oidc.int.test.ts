import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { DashboardProcess, REPO } from '../support/dashboard-process.js';
import { startTestProvider, type TestProvider } from '../support/oidc-test-provider.js';
import { freePort } from '../support/processes.js';

/**
 * Operator sign-in with OpenID Connect end to end: a real OpenID provider (oidc-provider, in this
 * process) on loopback, a real dashboard (the bundle, local driver), real Chromium through the real
 * redirects. The role mapping applies, a creator cannot see another's room, API tokens work as
 * bearers and are refused at once when revoked, and a cookie-authenticated change needs its CSRF token.
 */
const ARTIFACTS = join(REPO, 'test-artifacts');
const CLIENT_SECRET = 'boxroom-test-client-secret-0123456789';
const PEOPLE = {
  ada: { name: 'Ada Admin', email: 'ada@example.org', groups: ['staff', 'boxroom-admins'] },
  cara: { name: 'Cara Creator', email: 'cara@example.org', groups: ['staff', 'boxroom-users'] },
  carl: { name: 'Carl Creator', email: 'carl@example.org', groups: ['boxroom-users'] },
  eve: { name: 'Eve Outsider', email: 'eve@example.org', groups: ['staff'] },
};

let provider: TestProvider | null = null;
let dash: DashboardProcess | null = null;
let browser: Browser | null = null;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const [providerPort, dashPort] = [await freePort(), await freePort()];
  provider = await startTestProvider({
    port: providerPort,
    clientId: 'boxroom',
    clientSecret: CLIENT_SECRET,
    redirectUri: `http://127.0.0.1:${dashPort}/api/auth/oidc/callback`,
    people: PEOPLE,
  });
  dash = await DashboardProcess.start({
    driver: 'local',
    port: dashPort,
    env: {
      BOXROOM_LOG_LEVEL: process.env.BOXROOM_E2E_LOG_LEVEL ?? 'warn',
      BOXROOM_OIDC_ISSUER: provider.issuer,
      BOXROOM_OIDC_NAME: 'Test IdP',
      BOXROOM_OIDC_CLIENT_ID: 'boxroom',
      BOXROOM_OIDC_CLIENT_SECRET: CLIENT_SECRET,
      BOXROOM_OIDC_SCOPES: 'openid profile email groups',
      // no `*`: eve (staff only) has no role here
      BOXROOM_OIDC_ROLES: 'boxroom-admins=admin,boxroom-ops=operator,boxroom-users=creator',
    },
  });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close().catch(() => {});
  await dash?.teardown().catch(() => {});
  await provider?.close().catch(() => {});
}, 60_000);

async function newPage(): Promise<Page> {
  const ctx = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.warn(`[page error] ${e.message}`));
  page.on('dialog', (d) => void d.accept());
  return page;
}

/** The sign-in page's button, the provider's login and consent pages, and back. */
async function signInAs(login: string, shot: string): Promise<Page> {
  const page = await newPage();
  await page.goto(dash!.url);
  const button = page.locator('br-sign-in [data-testid=oidc-sign-in]');
  await expect.poll(() => button.textContent()).toBe('Sign in with Test IdP');
  if (shot === 'ada') await page.screenshot({ path: join(ARTIFACTS, 'oidc-sign-in-page.png') });
  await button.click();
  // 'commit': the provider's page imports a web font, which nothing here can load
  await page.waitForURL((u) => u.origin === provider!.issuer, { waitUntil: 'commit' });
  await page.locator('input[name=login]').fill(login, { timeout: 15_000 });
  await page.locator('input[name=password]').fill('any password');
  if (shot === 'ada') await page.screenshot({ path: join(ARTIFACTS, 'oidc-provider-login.png') });
  await page.locator('button[type=submit]').click();
  // the provider asks for consent once per person and client
  const consent = page.locator('button[type=submit]', { hasText: 'Continue' });
  const consented = consent
    .waitFor({ timeout: 20_000 })
    .then(() => consent.click())
    .catch(() => undefined);
  const back = page.waitForURL((u) => u.origin === dash!.url, { timeout: 20_000 });
  await Promise.race([consented, back.catch(() => undefined)]);
  await back;
  return page;
}

/** A call from the page (its cookie; `csrf` when given). */
async function fromPage(page: Page, method: string, path: string, csrf?: string, body?: unknown) {
  return page.evaluate(
    async ({ method, path, csrf, body }) => {
      const headers: Record<string, string> = {};
      if (csrf) headers['x-csrf-token'] = csrf;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(path, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
    },
    { method, path, csrf, body },
  );
}

interface SessionView {
  role: string;
  via: string;
  csrf: string;
  account: { id: string; name: string; role: string };
}

const session = async (page: Page) =>
  (await fromPage(page, 'GET', '/api/session')).body as unknown as SessionView;

describe('operator sign-in with OpenID Connect (oidc-provider, real dashboard, Chromium)', () => {
  it('maps roles, confines creators to their rooms, revokes API tokens at once, and wants CSRF tokens', async () => {
    const ada = await signInAs('ada', 'ada');
    await ada.locator('br-account-menu [data-testid=account][data-role=admin]').waitFor();
    const adaSession = await session(ada);
    expect(adaSession).toMatchObject({
      role: 'admin',
      via: 'oidc',
      account: { name: 'Ada Admin', role: 'admin' },
    });
    expect(adaSession.account.id).toMatch(/^oidc:[0-9a-f]{32}$/);
    await ada.screenshot({ path: join(ARTIFACTS, 'oidc-admin-signed-in.png'), fullPage: true });

    const cara = await signInAs('cara', 'cara');
    await cara.locator('br-account-menu [data-testid=account][data-role=creator]').waitFor();
    const caraSession = await session(cara);
    expect(caraSession).toMatchObject({ role: 'creator', via: 'oidc', account: { name: 'Cara Creator' } });
    const carl = await signInAs('carl', 'carl');
    const carlSession = await session(carl);
    expect(carlSession.role).toBe('creator');
    expect(carlSession.account.id).not.toBe(caraSession.account.id);

    // nobody maps eve to a role: refused, with a page that says why
    const eve = await signInAs('eve', 'eve');
    await expect.poll(() => eve.locator('[data-testid=signin-error]').textContent()).toMatch(/no role/);
    await eve.screenshot({ path: join(ARTIFACTS, 'oidc-refused.png') });
    expect((await fromPage(eve, 'GET', '/api/session')).status).toBe(401);

    // CSRF: the cookie alone changes nothing
    const bare = await fromPage(cara, 'POST', '/api/rooms', undefined, { width: 640, height: 360 });
    expect(bare.status).toBe(403);
    // cara creates a room (cookie + CSRF token)
    const made = await fromPage(cara, 'POST', '/api/rooms', caraSession.csrf, { width: 640, height: 360 });
    expect(made.status).toBe(201);
    const roomId = made.body!.id as string;
    await cara.locator(`br-room-card`).first().waitFor({ timeout: 15_000 });
    await cara.screenshot({ path: join(ARTIFACTS, 'oidc-creator-room.png'), fullPage: true });

    // carl cannot see it, nor delete it
    const carlRooms = await fromPage(carl, 'GET', '/api/rooms');
    expect((carlRooms.body!.rooms as Array<{ id: string }>).map((r) => r.id)).not.toContain(roomId);
    expect([403, 404]).toContain((await fromPage(carl, 'GET', `/api/rooms/${roomId}`)).status);
    expect([403, 404]).toContain(
      (await fromPage(carl, 'DELETE', `/api/rooms/${roomId}`, carlSession.csrf)).status,
    );
    expect(await carl.locator('br-room-card').count()).toBe(0);
    // the admin sees every room, and the accounts
    const adaRooms = await fromPage(ada, 'GET', '/api/rooms');
    expect((adaRooms.body!.rooms as Array<{ id: string }>).map((r) => r.id)).toContain(roomId);
    const accounts = (await fromPage(ada, 'GET', '/api/accounts')).body!.accounts as Array<{
      name: string;
      role: string;
    }>;
    expect(accounts.map((a) => [a.name, a.role])).toEqual([
      ['Ada Admin', 'admin'],
      ['Cara Creator', 'creator'],
      ['Carl Creator', 'creator'],
    ]);
    expect((await fromPage(cara, 'GET', '/api/accounts')).status).toBe(403);

    // cara makes an API token in the page: shown once, works as a bearer, refused at once when revoked
    const tokens = cara.locator('br-api-tokens');
    await tokens.locator('input[name=name]').fill('ci');
    await tokens.locator('button[type=submit]').click();
    const secret = (await tokens.locator('[data-testid=token-secret] code').textContent())!.trim();
    expect(secret).toMatch(/^brt_[a-z0-9]{12}_[\w-]{43}$/);
    await tokens.locator('[data-testid=revoke-token]').waitFor();
    await cara.screenshot({ path: join(ARTIFACTS, 'oidc-api-token.png'), fullPage: true });
    const asToken = await dash!.api<{ rooms: Array<{ id: string }> }>('GET', '/api/rooms', undefined, secret);
    expect(asToken.status).toBe(200);
    expect(asToken.body.rooms.map((r) => r.id)).toEqual([roomId]);
    expect((await dash!.api('GET', `/api/rooms/${roomId}`, undefined, secret)).status).toBe(200);
    await tokens.locator('[data-testid=revoke-token]').click();
    await expect.poll(() => tokens.locator('[data-testid=revoke-token]').count()).toBe(0);
    expect((await dash!.api('GET', '/api/rooms', undefined, secret)).status).toBe(401);

    // on a phone, the account menu and the tokens view still fit the width
    await ada.setViewportSize({ width: 390, height: 844 });
    await ada.locator('br-api-tokens').waitFor();
    expect(await ada.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await ada.screenshot({ path: join(ARTIFACTS, 'oidc-admin-390x844.png'), fullPage: true });

    // the creator deletes her own room; sign out ends the session
    expect((await fromPage(cara, 'DELETE', `/api/rooms/${roomId}`, caraSession.csrf)).status).toBe(204);
    await cara.locator('br-account-menu [data-testid=sign-out]').click();
    await cara.locator('br-sign-in').waitFor();
    // the page clears the cookie without waiting for the answer
    await expect.poll(async () => (await fromPage(cara, 'GET', '/api/session')).status).toBe(401);

    // the audit trail has every sign-in (eve's refused), the token's making and revoking, the sign-out
    const kept = new Set(['operator.signin', 'operator.signout', 'token.create', 'token.revoke']);
    const trail = async () => {
      const r = await dash!.api<{
        entries: Array<{ action: string; outcome: string; actor: { name: string } }>;
      }>('GET', '/api/audit');
      return r.body.entries.filter((e) => kept.has(e.action)).map((e) => [e.action, e.actor.name, e.outcome]);
    };
    await expect.poll(trail).toEqual([
      ['operator.signin', 'Ada Admin', 'ok'],
      ['operator.signin', 'Cara Creator', 'ok'],
      ['operator.signin', 'Carl Creator', 'ok'],
      ['operator.signin', 'not signed in', 'denied'],
      ['token.create', 'Cara Creator', 'ok'],
      ['token.revoke', 'Cara Creator', 'ok'],
      ['operator.signout', 'Cara Creator', 'ok'],
    ]);
  }, 120_000);
});
