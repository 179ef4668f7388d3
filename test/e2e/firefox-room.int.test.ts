/// <reference lib="dom" />
// page.evaluate() callbacks run in the browser.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wigglePointer, xPointer, xdotool } from '../support/agent-helpers.js';
import { DashboardProcess } from '../support/dashboard-process.js';
import { launchFirefox } from '../support/firefox.js';
import { sleep } from '../support/processes.js';
import { readSpectrum } from '../support/audio-probe.js';
import { localPulseServer, playPcm, sinePcm } from '../support/room-sound.js';
import { webAudioProbeScript } from '../support/webaudio-probe.js';

// The room page in Firefox ESR (WebDriver BiDi through puppeteer-core): the same walk as the Chromium
// room test's core (room-ui.int.test.ts): it plays, control is taken, a click and typed text reach the
// desktop, read inside the room (xdotool, a file the terminal creates).

let dash: DashboardProcess | null = null;
let browser: Browser | null = null;

interface Room {
  id: string;
  links: { participant: string };
}

async function createRoom(): Promise<Room> {
  const r = await dash!.api<Room>('POST', '/api/rooms', { name: 'firefox e2e', width: 1280, height: 720 });
  expect(r.status).toBe(201);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { body } = await dash!.api<{ status: string }>('GET', `/api/rooms/${r.body.id}`);
    if (body.status === 'ready') return r.body;
    if (body.status === 'failed' || Date.now() > deadline) throw new Error(`room ${body.status}`);
    await sleep(200);
  }
}

/** What the page's <video> did: playback position, and frames presented (requestVideoFrameCallback). */
function videoState(page: Page): Promise<{ currentTime: number; presented: number; paused: boolean }> {
  return page.evaluate(() => {
    const video = document
      .querySelector('br-room-page')!
      .shadowRoot!.querySelector('br-video-stage')!
      .shadowRoot!.querySelector('video')!;
    const w = window as unknown as { __ffFrames?: number };
    if (w.__ffFrames === undefined) {
      w.__ffFrames = 0;
      const count = () => {
        w.__ffFrames!++;
        video.requestVideoFrameCallback(count);
      };
      video.requestVideoFrameCallback(count);
    }
    return { currentTime: video.currentTime, presented: w.__ffFrames, paused: video.paused };
  });
}

async function framesOf(page: Page): Promise<number> {
  const el = await page.waitForSelector('>>> [data-testid=frames]');
  return Number((await el!.evaluate((e) => e.textContent)) ?? 0);
}

beforeAll(async () => {
  dash = await DashboardProcess.start({
    driver: 'local',
    env: { BOXROOM_LOG_LEVEL: process.env.BOXROOM_E2E_LOG_LEVEL ?? 'warn' },
  });
  browser = await launchFirefox({ speakers: true });
}, 120_000);

afterAll(async () => {
  await browser?.close().catch(() => {});
  await dash?.teardown();
}, 60_000);

describe('the room page in Firefox ESR', () => {
  it('plays, and a participant in control clicks and types into the room', async () => {
    const room = await createRoom();
    const { display, runDir } = dash!.localRoom(room.id);
    const page = await browser!.newPage();
    page.on('pageerror', (e) => console.warn(`[page error] ${String(e)}`));
    await page.setViewport({ width: 1280, height: 800 });
    await page.goto(room.links.participant);
    const name = await page.waitForSelector('>>> br-join-form >>> input[name=name]');
    await name!.type('fiona');
    await (await page.waitForSelector('>>> br-join-form >>> button[type=submit]'))!.click();
    await page.waitForSelector('>>> br-video-stage', { timeout: 10_000 });

    // --- it plays: the page's readout counts frames, the <video>'s clock runs, frames are presented
    // (the pointer wiggles between reads: frames at ~15 a second, not the still screen's 2)
    await expect
      .poll(
        async () => {
          await wigglePointer(display, runDir);
          return framesOf(page);
        },
        { timeout: 20_000 },
      )
      .toBeGreaterThanOrEqual(20);
    // an idle desktop sends few frames (capture follows damage): the terminal gets typed into meanwhile
    const a = await videoState(page);
    await xdotool(display, runDir, 'type', '--delay', '60', 'abcdefghijklmnopqrst');
    await sleep(500);
    const b = await videoState(page);
    await xdotool(display, runDir, 'key', 'ctrl+u');
    expect(b.paused).toBe(false);
    expect(b.currentTime - a.currentTime).toBeGreaterThan(0.5);
    expect(b.presented - a.presented).toBeGreaterThanOrEqual(10);

    // --- take control: the overlay goes active, the holder says so
    await (await page.waitForSelector('>>> br-control-panel >>> button[data-action=request]'))!.click();
    const overlay = await page.waitForSelector('>>> br-video-stage >>> .overlay[data-phase=active]', {
      timeout: 10_000,
    });
    await expect
      .poll(async () => (await page.$eval('>>> [data-testid=holder]', (e) => e.textContent)) ?? '')
      .toContain('you in control');
    const box = (await overlay!.boundingBox())!;

    // --- clicks at known picture positions land within 2 px on the X screen
    for (const [rx, ry] of [
      [400, 300],
      [1000, 650],
      [37, 41],
    ] as const) {
      await page.mouse.click(
        box.x + ((rx + 0.5) / 1280) * box.width,
        box.y + ((ry + 0.5) / 720) * box.height,
      );
      await expect
        .poll(async () => {
          const m = /x:(\d+) y:(\d+)/.exec(await xPointer(display, runDir))!;
          return Math.max(Math.abs(Number(m[1]) - rx), Math.abs(Number(m[2]) - ry));
        })
        .toBeLessThanOrEqual(2);
    }

    // --- typed text reaches the terminal: it runs the command
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    const marker = join('/tmp', `boxroom-e2e-ff-${process.pid}-${Date.now()}`);
    try {
      await page.keyboard.type(`touch ${marker}`, { delay: 15 });
      await page.keyboard.press('Enter');
      await expect.poll(() => existsSync(marker), { timeout: 10_000 }).toBe(true);
    } finally {
      rmSync(marker, { force: true });
    }

    // --- still playing after all that
    const c = await videoState(page);
    await xdotool(display, runDir, 'type', '--delay', '60', 'abcde');
    await expect.poll(async () => (await videoState(page)).presented).toBeGreaterThan(c.presented);
    await page.close();
    const del = await dash!.api('DELETE', `/api/rooms/${room.id}`);
    expect(del.status).toBe(204);
  }, 180_000);

  it('a participant who unmutes hears a tone played in the room, through Web Audio', async () => {
    const TONE_HZ = 1375;
    const HEARD_DB = -60;
    const room = await createRoom();
    // a context of its own: the first test's page left its display name in localStorage
    const context = await browser!.createBrowserContext();
    const page = await context.newPage();
    try {
      page.on('pageerror', (e) => console.warn(`[page error] ${String(e)}`));
      await page.evaluateOnNewDocument(webAudioProbeScript);
      await page.setViewport({ width: 1280, height: 800 });
      await page.goto(room.links.participant);
      const name = await page.waitForSelector('>>> br-join-form >>> input[name=name]');
      await name!.type('fabian');
      await (await page.waitForSelector('>>> br-join-form >>> button[type=submit]'))!.click();
      // Firefox's default autoplay policy: sound starts from the click on Unmute
      await (await page.waitForSelector('>>> br-video-stage >>> button.unmute', {
        timeout: 20_000,
      }))!.click();
      await expect
        .poll(async () => (await page.$eval('>>> [data-testid=sound]', (e) => e.textContent))?.trim(), {
          timeout: 5000,
        })
        .toMatch(/^Web Audio, \d+ ms ahead$/);
      const levelAt = async () => (await page.evaluate(readSpectrum, TONE_HZ)).atDb;
      // the context runs (Firefox starts it once its output is open), and plays silence
      await expect
        .poll(
          () =>
            page.evaluate(
              () =>
                (window as unknown as { __bxAudio?: { ctx: AudioContext } }).__bxAudio?.ctx.state ?? 'none',
            ),
          { timeout: 5000 },
        )
        .toBe('running');
      expect(await levelAt()).toBeLessThan(HEARD_DB);
      const playing = playPcm(localPulseServer(dash!.localRoom(room.id).pid!), sinePcm(TONE_HZ, 3));
      try {
        let best = -200;
        for (let deadline = Date.now() + 4000; best < HEARD_DB && Date.now() < deadline; await sleep(100))
          best = Math.max(best, await levelAt());
        expect(best).toBeGreaterThan(HEARD_DB);
      } finally {
        await playing;
      }
    } finally {
      await context.close().catch(() => {});
      await dash!.api('DELETE', `/api/rooms/${room.id}`).catch(() => {});
    }
  }, 120_000);
});
