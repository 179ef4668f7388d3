import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AccountRef,
  AuditList,
  QuotaReport,
  Recording,
  RecordingTimelineEntry,
  Room,
} from '@boxroom/contracts';
import { buildApp } from '../../dashboard/src/app.js';
import type { RoomDriver } from '../../dashboard/src/rooms/room-driver.js';
import { until } from '../support/agent-helpers.js';
import { launchChromium } from '../support/browser.js';
import { REPO } from '../support/dashboard-process.js';
import { localAppDeps, localDriverIn } from '../support/local-driver.js';

const ADMIN_TOKEN = 'quotas-admin-token-0123456789';
const ALICE: AccountRef = { id: 'alice', name: 'Alice', role: 'creator' };
/** alice's bearer: a fixed account bearer, as API tokens act (the token service is not what is tested) */
const ALICE_BEARER = 'brt_alice';
const ARTIFACTS = join(REPO, 'test-artifacts');

/**
 * Quotas against real rooms: the dashboard in this process over the local driver (real Xvfb,
 * x11vnc, the agent, ffmpeg recording the stream), a creator acting with her bearer, each limit
 * reached for real, and the quota meter in Chromium.
 */
describe('quotas of a creator (local driver, real rooms and recordings, Chromium)', () => {
  let dataDir: string;
  let driver: RoomDriver;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser | null = null;
  const contexts: BrowserContext[] = [];
  let roomA: Room;

  const api = async <T>(method: string, path: string, body?: object, bearer = ALICE_BEARER) => {
    const res = await fetch(base + path, {
      method,
      headers: {
        authorization: `Bearer ${bearer}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as T };
  };
  const setQuota = async (patch: object) => {
    const res = await api<QuotaReport>('PUT', '/api/accounts/alice/quota', patch, ADMIN_TOKEN);
    expect(res.status).toBe(200);
    return res.body;
  };
  const quota = async () => (await api<QuotaReport>('GET', '/api/quota')).body;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'boxroom-quotas-int-'));
    const local = await localDriverIn(dataDir, ADMIN_TOKEN, 175);
    driver = local.driver;
    app = await buildApp({
      ...localAppDeps(dataDir, local, {
        quotas: { roomsAtOnce: 1, roomHoursPerDay: null, recordingBytes: null },
      }),
      webDir: join(REPO, 'web', 'dist'),
      accountBearers: {
        owns: (b) => b.startsWith('brt_'),
        resolve: async (b) => (b === ALICE_BEARER ? ALICE : null),
      },
    });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close().catch(() => {});
    for (const r of (await driver?.list().catch(() => [])) ?? [])
      await driver.delete(r.spec.id).catch(() => {});
    await app?.close();
    await driver?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('rooms at once: the second real room is refused with 409 quota_exceeded', async () => {
    const created = await api<Room>('POST', '/api/rooms', {
      width: 640,
      height: 360,
      fps: 15,
      app: 'terminal',
    });
    expect(created.status).toBe(201);
    roomA = created.body;
    await until(
      async () => (await api<Room>('GET', `/api/rooms/${roomA.id}`)).body.status === 'ready',
      30_000,
      'the room to be ready',
    );
    const refused = await api('POST', '/api/rooms', { width: 640, height: 360 });
    expect(refused).toEqual({
      status: 409,
      body: {
        error: {
          code: 'quota_exceeded',
          message: 'quota exceeded: at most 1 room at once (1 running): delete one first',
        },
      },
    });
    expect((await driver.list()).length).toBe(1);
    expect((await quota()).usage.roomsAtOnce).toBe(1);
  });

  it("room-hours: refused once today's are spent; a new room's max age is what is left", async () => {
    await setQuota({ roomsAtOnce: 2, roomHoursPerDay: 0 });
    const refused = await api('POST', '/api/rooms', { width: 640, height: 360 });
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({
      error: {
        code: 'quota_exceeded',
        message: "quota exceeded: today's room-hours (UTC) are used up (0 h a day): more after midnight UTC",
      },
    });
    await setQuota({ roomHoursPerDay: 1 });
    // room A (made before any hours limit) has no max age: it could take the whole day
    const unbounded = await api('POST', '/api/rooms', { width: 640, height: 360 });
    expect(unbounded.status).toBe(409);
    expect(unbounded.body).toMatchObject({ error: { code: 'quota_exceeded' } });
    expect((unbounded.body as { error: { message: string } }).error.message).toMatch(/no max age/);
    // giving it one (10 minutes) frees the rest of the hour for another room
    const bounded = await api<Room>('PATCH', `/api/rooms/${roomA.id}`, { timeouts: { maxAgeS: 600 } });
    expect(bounded.status).toBe(200);
    const used = (await quota()).usage.roomHoursPerDay; // room A has been running since the first test
    const b = await api<Room>('POST', '/api/rooms', { width: 640, height: 360, timeouts: { maxAgeS: 7200 } });
    expect(b.status).toBe(201);
    // what was left of the hour: less than the hour minus what room A may still run, and not much less
    // (the report rounds to 3.6 s, and a few seconds pass between the calls)
    const promisedA = 600 - (Date.now() - Date.parse(roomA.createdAt)) / 1000;
    expect(b.body.timeouts.maxAgeS).toBeLessThanOrEqual(3600 - promisedA + 5);
    expect(b.body.timeouts.maxAgeS).toBeGreaterThan(3600 - 600 - used * 3600 - 30);
    expect((await api('DELETE', `/api/rooms/${b.body.id}`)).status).toBe(204);
    expect((await quota()).usage.roomsAtOnce).toBe(1);
    await setQuota({ roomsAtOnce: 1, roomHoursPerDay: null });
  });

  it('recording bytes: a running recording that reaches the limit stops (partial, quota); a new start is refused', async () => {
    const started = await api<{ recording: Recording }>('POST', `/api/rooms/${roomA.id}/recording/start`);
    expect(started.status).toBe(200);
    const rid = started.body.recording.id;
    // bytes really recorded, then a limit below them
    await until(async () => (await quota()).usage.recordingBytes > 0, 30_000, 'recorded bytes');
    await setQuota({ recordingBytes: 1 });
    await until(
      async () => (await api<Recording>('GET', `/api/recordings/${rid}`)).body.state === 'partial',
      15_000,
      'the recording stopped by the quota',
    );
    const events = (await api<RecordingTimelineEntry[]>('GET', `/api/recordings/${rid}/events`)).body;
    expect(events.some((e) => e.type === 'warning' && 'reason' in e && e.reason === 'quota')).toBe(true);
    const kept = (await quota()).usage.recordingBytes;
    const refused = await api('POST', `/api/rooms/${roomA.id}/recording/start`);
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({
      error: {
        code: 'quota_exceeded',
        message: `quota exceeded: recordings may keep 0.0 MiB (${(kept / 1048576).toFixed(1)} MiB kept): delete some first`,
      },
    });
  }, 90_000);

  it('the quota meter in Chromium: at its limits, and the create form says why it is refused', async () => {
    browser = await launchChromium();
    // The page signs in with the admin token (its cookie); every API call then carries alice's bearer,
    // which wins over the cookie: the page is hers, as her own sign-in will give it.
    const ctx = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      extraHTTPHeaders: { authorization: `Bearer ${ALICE_BEARER}` },
    });
    contexts.push(ctx);
    expect((await ctx.request.post(`${base}/api/session`, { data: { token: ADMIN_TOKEN } })).status()).toBe(
      200,
    );
    const page = await ctx.newPage();
    page.on('pageerror', (e) => console.warn(`[page error] ${e.message}`));
    await page.goto(base);
    const meter = page.locator('br-quota-meter');
    await meter.locator('[data-quota=rooms]').waitFor({ timeout: 15_000 });
    expect(await meter.locator('[data-quota=rooms]').getAttribute('data-level')).toBe('at');
    expect(await meter.locator('[data-quota=rooms] .figures').textContent()).toBe('1 / 1');
    expect(await meter.locator('[data-quota=hours] .figures').textContent()).toMatch(/no limit$/);
    expect(await meter.locator('[data-quota=recordings]').getAttribute('data-level')).toBe('at');

    await page.locator('br-create-room button[type=submit]').click();
    const error = page.locator('br-create-room [role=alert]');
    await error.waitFor({ timeout: 10_000 });
    expect(await error.textContent()).toContain('quota exceeded: at most 1 room at once (1 running)');
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'quota-meter.png'), fullPage: true });
    expect((await driver.list()).length).toBe(1);

    // the audit trail has each limit the admin set and each refusal, in the order they happened
    const trail = await api<AuditList>('GET', '/api/audit?limit=5000', undefined, ADMIN_TOKEN);
    const quotaEntries = trail.body.entries.filter(
      (e) => e.action === 'quota.change' || e.outcome === 'denied',
    );
    expect(
      quotaEntries.filter((e) => e.action === 'quota.change').every((e) => e.actor.role === 'admin'),
    ).toBe(true);
    expect(quotaEntries.filter((e) => e.action === 'quota.change').length).toBeGreaterThanOrEqual(4);
    const denied = quotaEntries.filter((e) => e.outcome === 'denied');
    expect(denied.map((e) => [e.action, e.actor.id, e.detail.reason])).toEqual(
      expect.arrayContaining([
        ['room.create', 'alice', 'quota_exceeded'],
        ['recording.start', 'alice', 'quota_exceeded'],
      ]),
    );
    expect(quotaEntries.at(-1)!.action).toBe('room.create'); // the page's refused create came last
  }, 60_000);
});
