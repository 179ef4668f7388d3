import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_ACCOUNT_ID, type CreatedApiToken } from '@boxroom/contracts';
import { tempFileStore } from '../testing/temp-file-store.js';
import { buildTestApp, type TestApp } from '../testing/test-app.js';
import { digestOf, mintApiToken, parseApiToken } from './api-token-secret.js';
import { ApiTokenService, LAST_USED_WRITE_MS } from './api-token-service.js';
import { principalOfAccount } from './principal.js';

const alice = { id: 'alice', name: 'Alice', role: 'creator' as const };
const bob = { id: 'bob', name: 'Bob', role: 'creator' as const };

describe('personal API tokens (HTTP)', () => {
  let t: TestApp;
  // fixed bearers act for alice and bob (buildTestApp's `accounts`); the real tokens work beside them
  beforeEach(async () => {
    t = await buildTestApp({ accounts: { brt_alice: alice, brt_bob: bob } });
  });
  afterEach(() => t.close());
  const as = (bearer: string) => ({ authorization: `Bearer ${bearer}` });
  const create = async (bearer: string, name: string) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: as(bearer),
      payload: { name },
    });
    expect(res.statusCode).toBe(201);
    return res.json<CreatedApiToken>();
  };

  it('shows the secret once, stores a digest, acts as its owner, and is refused at once when revoked', async () => {
    const made = await create('brt_alice', 'ci');
    expect(made.secret).toMatch(/^brt_[a-z0-9]{12}_[\w-]{43}$/);
    expect(made.token).toMatchObject({ name: 'ci', owner: alice, expiresAt: null, lastUsedAt: null });
    const files = JSON.stringify(
      await t.app.inject({ url: '/api/tokens', headers: as('brt_alice') }).then((r) => r.json()),
    );
    expect(files).not.toContain(made.secret.slice(-43));

    // acts as alice: creates a room alice owns, which bob does not see
    const room = await t.app.inject({
      method: 'POST',
      url: '/api/rooms',
      headers: as(made.secret),
      payload: {},
    });
    expect(room.statusCode).toBe(201);
    const alices = await t.app.inject({ url: '/api/rooms', headers: as('brt_alice') });
    expect(alices.json().rooms.map((r: { id: string }) => r.id)).toEqual([room.json().id]);
    const bobs = await t.app.inject({ url: '/api/rooms', headers: as('brt_bob') });
    expect(bobs.json().rooms).toEqual([]);
    // written after the answer (never awaited by a call)
    const lastUsed = async () =>
      (await t.app.inject({ url: '/api/tokens', headers: as('brt_alice') })).json().tokens[0].lastUsedAt;
    await expect.poll(lastUsed).not.toBeNull();

    // bob cannot see or revoke it; alice can
    expect((await t.app.inject({ url: '/api/tokens', headers: as('brt_bob') })).json().tokens).toEqual([]);
    const del = (bearer: string) =>
      t.app.inject({ method: 'DELETE', url: `/api/tokens/${made.token.id}`, headers: as(bearer) });
    expect((await del('brt_bob')).statusCode).toBe(404);
    // a token cannot make tokens (a stolen one would outlive its own revocation through them)
    const minted = await t.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: as(made.secret),
      payload: { name: 'again' },
    });
    expect(minted.statusCode).toBe(403);
    expect(minted.json().error.message).toMatch(/cannot make API tokens/);
    expect((await del('brt_alice')).statusCode).toBe(204);
    expect((await del('brt_alice')).statusCode).toBe(404);
    const after = await t.app.inject({ url: '/api/rooms', headers: as(made.secret) });
    expect(after.statusCode).toBe(401);
    // a token of the right shape with a wrong secret: 401 too
    const forged = `${made.secret.slice(0, -3)}AAA`;
    expect((await t.app.inject({ url: '/api/rooms', headers: as(forged) })).statusCode).toBe(401);
  });

  it("admins list and revoke anyone's; others may not look beyond their own", async () => {
    const a = await create('brt_alice', 'laptop');
    const admin = await create('test-admin-token-0123456789', 'ops');
    expect(admin.token.owner).toEqual({ id: ADMIN_ACCOUNT_ID, name: 'admin', role: 'admin' });
    const list = (bearer: string, q = '') => t.app.inject({ url: `/api/tokens${q}`, headers: as(bearer) });
    expect((await list('brt_alice', '?all=true')).statusCode).toBe(403);
    expect((await list('brt_alice', '?owner=bob')).statusCode).toBe(403);
    expect((await list('brt_alice', '?owner=alice')).json().tokens.map((x: { id: string }) => x.id)).toEqual([
      a.token.id,
    ]);
    const all = await list(admin.secret, '?all=true');
    expect(all.json().tokens.map((x: { id: string }) => x.id)).toEqual([a.token.id, admin.token.id]);
    expect((await list(admin.secret, '?owner=alice')).json().tokens).toHaveLength(1);
    const del = await t.app.inject({ method: 'DELETE', url: `/api/tokens/${a.token.id}`, headers: t.admin });
    expect(del.statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/rooms', headers: as(a.secret) })).statusCode).toBe(401);
    // accounts: admins only
    expect((await t.app.inject({ url: '/api/accounts', headers: as('brt_alice') })).statusCode).toBe(403);
    expect((await t.app.inject({ url: '/api/accounts', headers: t.admin })).json()).toEqual({ accounts: [] });
  });

  it('belong to accounts only: a room token gets 403, no bearer 401, a bad body 400', async () => {
    const room = await t.app.inject({ method: 'POST', url: '/api/rooms', headers: t.admin, payload: {} });
    const join = await t.app.inject({
      method: 'POST',
      url: `/api/rooms/${room.json().id}/join`,
      payload: { invite: new URL(room.json().links.owner).hash.split('=')[1], name: 'o' },
    });
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: as(join.json().token),
      payload: { name: 'x' },
    });
    expect(res.statusCode).toBe(403);
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/tokens', payload: { name: 'x' } })).statusCode,
    ).toBe(401);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: t.admin,
      payload: { name: '' },
    });
    expect(bad.statusCode).toBe(400);
  });
});

describe('ApiTokenService', () => {
  it('expires, writes lastUsedAt at most once a minute, and follows the account role', async () => {
    const { store, dispose } = await tempFileStore();
    try {
      let now = Date.parse('2026-01-01T00:00:00Z');
      const service = new ApiTokenService(store, pino({ level: 'silent' }), () => now);
      const made = await service.create(principalOfAccount(alice), { name: 'ci', expiresInDays: 2 });
      expect(made.token.expiresAt).toBe('2026-01-03T00:00:00.000Z');
      expect(await service.resolve(made.secret)).toEqual(alice);
      await new Promise((r) => setTimeout(r, 20)); // the write is not awaited by resolve
      const first = (await store.getApiToken(made.token.id))!.lastUsedAt;
      expect(first).toBe('2026-01-01T00:00:00.000Z');
      now += LAST_USED_WRITE_MS - 1;
      await service.resolve(made.secret);
      expect((await store.getApiToken(made.token.id))!.lastUsedAt).toBe(first);
      now += 1;
      await service.resolve(made.secret);
      await new Promise((r) => setTimeout(r, 20));
      expect((await store.getApiToken(made.token.id))!.lastUsedAt).not.toBe(first);
      // the account signed in again as an operator: its token acts as one from now on
      const at = new Date(now).toISOString();
      await store.upsertAccount({ ...alice, role: 'operator', email: null, createdAt: at, lastSignInAt: at });
      expect(await service.resolve(made.secret)).toEqual({ ...alice, role: 'operator' });
      now = Date.parse('2026-01-03T00:00:00Z');
      expect(await service.resolve(made.secret)).toBeNull();
    } finally {
      await dispose();
    }
  });

  it('mints ids and secrets of the documented shape; only the digest can check a secret', () => {
    const m = mintApiToken();
    expect(m.id).toMatch(/^[a-z0-9]{12}$/);
    expect(parseApiToken(m.bearer)).toEqual({ id: m.id, secret: m.secret });
    expect(m.digest).toBe(digestOf(m.secret));
    expect(parseApiToken('brt_short_x')).toBeNull();
    expect(parseApiToken(`${m.bearer}x`)).toBeNull();
  });
});
