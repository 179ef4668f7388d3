/// <reference lib="dom" />
// page.evaluate() callbacks run in the browser.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wigglePointer, xClientEnv } from '../support/agent-helpers.js';
import { launchChromium } from '../support/browser.js';
import { DashboardProcess, REPO } from '../support/dashboard-process.js';
import { sleep } from '../support/processes.js';

const ARTIFACTS = join(REPO, 'test-artifacts');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

let dash: DashboardProcess | null = null;
let baseUrl = '';
let browser: Browser | null = null;
const contexts: BrowserContext[] = [];
/** what the pages' Content-Security-Policy blocked: must stay empty (noVNC, the player, the pages work under it) */
const cspViolations: string[] = [];

async function newPage(viewport = DESKTOP): Promise<Page> {
  const ctx = await browser!.newContext({ viewport });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.warn(`[page error] ${e.message}`));
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  return page;
}

/** Frames presented so far, from the latency readout. */
async function framesOf(page: Page): Promise<number> {
  return Number((await page.locator('[data-testid=frames]').textContent()) ?? 0);
}

/** A 64x36 grey-level thumbnail of the current video frame. */
function frameSignature(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const stage = document.querySelector('br-room-page')!.shadowRoot!.querySelector('br-video-stage')!;
    const video = stage.shadowRoot!.querySelector('video')!;
    const c = document.createElement('canvas');
    c.width = 64;
    c.height = 36;
    const g = c.getContext('2d')!;
    g.drawImage(video, 0, 0, 64, 36);
    const d = g.getImageData(0, 0, 64, 36).data;
    const out: number[] = [];
    for (let i = 0; i < d.length; i += 4) out.push((d[i]! + d[i + 1]! + d[i + 2]!) / 3);
    return out;
  });
}

const difference = (a: number[], b: number[]) =>
  a.reduce((s, x, i) => s + Math.abs(x - (b[i] ?? 0)), 0) / a.length;

/** A first visit (a fresh browser context, no name remembered): the page asks for a name. */
async function joinRoom(page: Page, link: string, name: string): Promise<void> {
  await page.goto(link);
  await page.locator('br-join-form input[name=name]').fill(name);
  await page.locator('br-join-form button[type=submit]').click();
  await page.locator('br-video-stage').waitFor();
}

/** The room's X screen, once it is made: waitFrames moves its pointer. */
let roomScreen: { display: number; runDir: string } | null = null;

/**
 * Waits until the page has presented `atLeast` frames; meanwhile the room's pointer wiggles, so the
 * frames come at about 15 a second instead of the still screen's 2 (the same count of frames).
 */
async function waitFrames(page: Page, atLeast: number, timeoutMs = 15_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = await framesOf(page);
    if (n >= atLeast) return n;
    if (Date.now() > deadline) throw new Error(`only ${n} frames presented`);
    if (roomScreen) await wigglePointer(roomScreen.display, roomScreen.runDir);
    else await sleep(200);
  }
}

function xdotool(display: number, runDir: string, ...args: string[]): string {
  return execFileSync('xdotool', args, { env: xClientEnv(display, runDir) }).toString();
}

beforeAll(async () => {
  // the dashboard serves the web UI itself, as a user runs it
  dash = await DashboardProcess.start({
    driver: 'local',
    env: { BOXROOM_LOG_LEVEL: process.env.BOXROOM_E2E_LOG_LEVEL ?? 'warn' },
  });
  baseUrl = dash.url;
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close().catch(() => {});
  await dash?.teardown();
}, 60_000);

describe('web UI against the real dashboard (local driver)', () => {
  it('creates a room, plays it, hands control around, and input lands where it should', async () => {
    // --- the dashboard page: sign in, create a room, watch it become ready
    const admin = await newPage();
    await admin.goto(baseUrl + '/');
    await admin.locator('br-sign-in input[name=token]').fill(dash!.adminToken);
    await admin.locator('br-sign-in button[type=submit]').click();
    await admin.locator('br-create-room input[name=name]').waitFor();
    // the admin token was traded for an HttpOnly cookie: nothing a page script can read holds it
    const readable = await admin.evaluate(() =>
      JSON.stringify([{ ...sessionStorage }, { ...localStorage }, document.cookie]),
    );
    expect(readable).not.toContain(dash!.adminToken);
    const [session] = await admin.context().cookies();
    expect(session).toMatchObject({ name: 'boxroom_operator', httpOnly: true, sameSite: 'Strict' });
    const page = await fetch(`${baseUrl}/r/abc`);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    await admin.locator('br-create-room input[name=name]').fill('e2e room');
    await admin.locator('br-create-room button[type=submit]').click();
    const card = admin.locator('br-room-card');
    await card.waitFor({ timeout: 10_000 });
    await admin.locator('br-room-card [data-status=ready]').waitFor({ timeout: 30_000 });
    await admin.locator('br-room-card img').waitFor({ timeout: 15_000 });

    const rooms = (await (
      await fetch(`${baseUrl}/api/rooms`, { headers: { authorization: `Bearer ${dash!.adminToken}` } })
    ).json()) as {
      rooms: Array<{ id: string; links: { participant: string; viewer: string; owner: string } }>;
    };
    const room = rooms.rooms[0]!;
    expect(room.links.participant).toContain('#invite=');
    const { display, runDir } = dash!.localRoom(room.id);
    roomScreen = { display, runDir };

    // --- a participant: join, frames arrive
    const alice = await newPage();
    await joinRoom(alice, room.links.participant, 'alice');
    await waitFrames(alice, 20);

    // --- request control, type a command through the overlay, the room runs it
    await alice.locator('br-control-panel button[data-action=request]').click();
    await alice.locator('br-video-stage .overlay[data-phase=active]').waitFor({ timeout: 10_000 });
    await expect.poll(() => alice.locator('[data-testid=holder]').textContent()).toContain('you in control');
    const overlay = alice.locator('br-video-stage .overlay');
    const box = (await overlay.boundingBox())!;
    await alice.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    const before = await frameSignature(alice);
    const marker = join('/tmp', `boxroom-e2e-${process.pid}-${Date.now()}`);
    await alice.keyboard.type(`touch ${marker}`, { delay: 15 });
    await alice.keyboard.press('Enter');
    await expect.poll(() => existsSync(marker), { timeout: 10_000 }).toBe(true);
    rmSync(marker, { force: true });
    // the typed line shows in the video
    await expect
      .poll(async () => difference(before, await frameSignature(alice)), { timeout: 5000 })
      .toBeGreaterThan(0.2);

    // --- a click at a known picture position lands within 2 px on the X screen
    for (const [rx, ry] of [
      [400, 300],
      [1000, 650],
      [37, 41],
    ] as const) {
      const x = box.x + ((rx + 0.5) / 1280) * box.width;
      const y = box.y + ((ry + 0.5) / 720) * box.height;
      await alice.mouse.click(x, y);
      await expect
        .poll(() => {
          const m = /x:(\d+) y:(\d+)/.exec(xdotool(display, runDir, 'getmouselocation'))!;
          return Math.max(Math.abs(Number(m[1]) - rx), Math.abs(Number(m[2]) - ry));
        })
        .toBeLessThanOrEqual(2);
    }

    // --- a viewer sees video but gets no control
    const viewer = await newPage();
    await joinRoom(viewer, room.links.viewer, 'victor');
    await waitFrames(viewer, 10);
    await expect(viewer.locator('br-control-panel button[data-action=request]').count()).resolves.toBe(0);
    await expect
      .poll(() => viewer.locator('[data-testid=holder]').textContent())
      .toContain('alice in control');

    // --- a second participant queues, gets control after alice releases
    const bob = await newPage();
    await joinRoom(bob, room.links.participant, 'bob');
    await waitFrames(bob, 10);
    await bob.locator('br-control-panel button[data-action=request]').click();
    await expect
      .poll(() => bob.locator('[data-testid=control-status]').textContent())
      .toContain('#1 in the queue');
    await alice.locator('br-control-panel button[data-action=release]').click();
    await expect.poll(() => bob.locator('[data-testid=holder]').textContent()).toContain('you in control');
    await expect.poll(() => alice.locator('[data-testid=holder]').textContent()).toContain('bob in control');
    await expect.poll(() => viewer.locator('[data-testid=holder]').textContent()).toContain('bob in control');
    await alice.locator('br-video-stage .overlay[data-phase=off]').waitFor();
    await bob.locator('br-video-stage .overlay[data-phase=active]').waitFor({ timeout: 10_000 });

    // --- only owners (and operators) get "Reset desktop"; it asks first, and the room streams on
    for (const page of [alice, bob, viewer])
      await expect(page.locator('br-desktop-reset button').count()).resolves.toBe(0);
    const owner = await newPage();
    await joinRoom(owner, room.links.owner, 'olga');
    await waitFrames(owner, 10);
    const resetButton = owner.locator('br-desktop-reset button[data-action=desktop-reset]');
    owner.once('dialog', (d) => void d.dismiss());
    await resetButton.click();
    await sleep(300);
    await expect(owner.locator('br-desktop-reset p').count()).resolves.toBe(0);
    owner.once('dialog', (d) => void d.accept());
    await resetButton.click();
    await expect
      .poll(() => owner.locator('br-desktop-reset p[role=status]').textContent())
      .toContain('The desktop is restarting.');
    // viewers and control untouched: bob still holds control, everyone still gets frames
    await expect.poll(() => bob.locator('[data-testid=holder]').textContent()).toContain('you in control');
    await waitFrames(viewer, (await framesOf(viewer)) + 10);

    // --- screenshots, both sizes
    await sleep(2500); // a fresh thumbnail and a settled latency readout
    await admin.screenshot({ path: join(ARTIFACTS, 'dashboard-1280x800.png') });
    await bob.screenshot({ path: join(ARTIFACTS, 'room-1280x800.png') });
    const adminPhone = await newPage(PHONE);
    await adminPhone.goto(baseUrl + '/');
    await adminPhone.locator('br-sign-in input[name=token]').fill(dash!.adminToken);
    await adminPhone.locator('br-sign-in button[type=submit]').click();
    await adminPhone.locator('br-room-card img').waitFor({ timeout: 15_000 });
    await adminPhone.screenshot({ path: join(ARTIFACTS, 'dashboard-390x844.png'), fullPage: true });
    const phone = await newPage(PHONE);
    await joinRoom(phone, room.links.participant, 'carol on a phone');
    await waitFrames(phone, 10);
    await sleep(1000);
    await phone.screenshot({ path: join(ARTIFACTS, 'room-390x844.png'), fullPage: true });

    // --- a returning participant: the phone's browser remembers the name, so the link joins at once,
    // with no name form, and the picture plays; the header offers to change the name
    const again = await phone.context().newPage();
    await again.goto(room.links.participant);
    await again.locator('br-video-stage').waitFor({ timeout: 10_000 });
    await expect(again.locator('br-join-form').count()).resolves.toBe(0);
    await expect(again.locator('[data-testid=change-name] .name').textContent()).resolves.toBe(
      'carol on a phone',
    );
    await waitFrames(again, 10);
    await again.locator('[data-testid=change-name]').click();
    const field = again.locator('br-join-form input[name=name]');
    await expect(field.inputValue()).resolves.toBe('carol on a phone');
    await field.fill('carol');
    await again.locator('br-join-form button[type=submit]').click();
    await again.locator('br-video-stage').waitFor({ timeout: 10_000 });
    await expect
      .poll(() => viewer.locator('br-presence-list li .name').allTextContents())
      .toContainEqual(expect.stringMatching(/^\s*carol\s*$/));
    await expect(again.locator('[data-testid=change-name] .name').textContent()).resolves.toBe('carol');
    await waitFrames(again, 10);
    // the header still fits a phone's width
    expect(await again.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await again.close();

    // --- delete from the dashboard page
    admin.once('dialog', (d) => void d.accept());
    await admin.locator('br-room-card button.danger').click();
    await expect.poll(() => card.count(), { timeout: 20_000 }).toBe(0);
    expect(cspViolations).toEqual([]);
  }, 180_000);
});
