/**
 * Failed is not restarting, end to end with the real dashboard process and the local driver: a room
 * whose agent dies is `failed`; its sockets meet 4504 with a message (not "restarting" for ever); it is
 * deleted after BOXROOM_FAILED_ROOM_GRACE_S although it has no timeouts, and a signed room.deleted
 * {cause: "failed"} webhook says so.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { WebhookEvent } from '@boxroom/contracts';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../../test/support/browser.js';
import { DashboardProcess } from '../../../test/support/dashboard-process.js';
import { alive } from '../../../test/support/agent-process.js';

let dash: DashboardProcess | null = null;
let browser: Browser | null = null;
let sink: Server | null = null;
const events: WebhookEvent[] = [];

beforeAll(async () => {
  sink = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      events.push(JSON.parse(body) as WebhookEvent);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => sink!.listen(0, '127.0.0.1', r));
  browser = await launchChromium();
  const port = (sink.address() as { port: number }).port;
  dash = await DashboardProcess.start({
    driver: 'local',
    env: {
      // long enough for the dashboard page (it polls every 2 s) to show the failed room's card
      BOXROOM_FAILED_ROOM_GRACE_S: '6',
      BOXROOM_ROOM_POLL_MS: '250',
      BOXROOM_WEBHOOK_URL: `http://127.0.0.1:${port}/hook`,
      BOXROOM_LOG_LEVEL: 'warn',
    },
  });
}, 60_000);

afterAll(async () => {
  await browser?.close().catch(() => {});
  await dash?.teardown();
  await new Promise((r) => sink?.close(r));
});

describe('a room whose agent died', () => {
  it('closes sockets with 4504 and a message, and is removed after the grace period', async () => {
    const created = await dash!.api<{ id: string; links: { viewer: string } }>('POST', '/api/rooms', {
      width: 640,
      height: 360,
      fps: 10,
      timeouts: { maxAgeS: 0, noViewersS: 0, noInputS: 0 },
    });
    expect(created.status).toBe(201);
    const { id } = created.body;
    for (let i = 0; i < 300; i++) {
      if ((await dash!.api<{ status: string }>('GET', `/api/rooms/${id}`)).body.status === 'ready') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // someone watching on the room page
    const page = await (await browser!.newContext()).newPage();
    await page.goto(created.body.links.viewer);
    await page.locator('br-join-form input[name=name]').fill('watcher');
    await page.locator('br-join-form button[type=submit]').click();
    await page.locator('br-video-stage').waitFor();

    // and the operator on the dashboard page, where the room's card shows why it failed
    const admin = await (await browser!.newContext()).newPage();
    await admin.goto(dash!.url + '/');
    await admin.locator('br-sign-in input[name=token]').fill(dash!.adminToken);
    await admin.locator('br-sign-in button[type=submit]').click();
    const card = admin.locator(`br-room-card article[data-room="${id}"]`);
    await card.locator('[data-status=ready]').waitFor({ timeout: 15_000 });

    const pid = dash!.localRoom(id).pid!;
    process.kill(-pid, 'SIGKILL');
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
    let room = { status: '', failure: undefined as string | null | undefined };
    for (let i = 0; i < 100 && room.status !== 'failed'; i++) {
      room = (await dash!.api<typeof room>('GET', `/api/rooms/${id}`)).body;
      if (room.status !== 'failed') await new Promise((r) => setTimeout(r, 50));
    }
    expect(room).toMatchObject({ status: 'failed', failure: 'the room agent was killed by SIGKILL' });
    await card.locator('.failure').waitFor({ timeout: 5_000 });
    expect(await card.locator('.failure').textContent()).toContain(
      'Why it failed: the room agent was killed by SIGKILL',
    );

    const ws = new WebSocket(`${dash!.url.replace('http', 'ws')}/rooms/${id}/session?token=x`);
    const closed = await new Promise<{ code: number; reason: string }>((r) =>
      ws.once('close', (code, reason) => r({ code, reason: reason.toString() })),
    );
    expect(closed).toEqual({
      code: 4504,
      reason: `room ${id} has failed: its desktop cannot come back; create a new room`,
    });

    // the page says so, instead of "restarting, reconnecting" for ever
    const banner = page.locator('br-room-page .banner[role=alert]');
    await banner.waitFor({ timeout: 15_000 });
    expect(await banner.textContent()).toContain('This room has failed and will not come back');

    const t0 = Date.now();
    let gone = false;
    while (!gone && Date.now() - t0 < 15_000) {
      gone = (await dash!.api('GET', `/api/rooms/${id}`)).status === 404;
      if (!gone) await new Promise((r) => setTimeout(r, 100));
    }
    expect(gone).toBe(true);
    await expect
      .poll(() => events.find((e) => e.type === 'room.deleted' && e.room === id), { timeout: 5000 })
      .toMatchObject({
        type: 'room.deleted',
        room: id,
        data: { cause: 'failed', failure: 'the room agent was killed by SIGKILL' },
      });
  }, 60_000);
});
