/// <reference lib="dom" />
// page.evaluate() and addInitScript() callbacks run in the browser.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScreenProbe } from '../../bench/lib/screen-probe.js';
import { wigglePointer } from '../support/agent-helpers.js';
import { sleep } from '../support/processes.js';
import { localPulseServer, playPcm, sinePcm } from '../support/room-sound.js';
import { spectrum } from '../support/audio-probe.js';
import { installWebAudioProbe, waitWebAudio } from '../support/webaudio-probe.js';
import { startLocalRoomBrowser, type LocalRoomBrowser } from '../support/local-room-browser.js';

// The room page's WebCodecs player (web/src/webcodecs/) in Chromium against a real local room: it
// presents the room's frames through a MediaStream (no Media Source), a colour drawn in the room shows
// in the picture, a participant in control types into the room; and a page without VideoDecoder
// falls back to MSE (mpegts.js) and plays the same way.

let env: LocalRoomBrowser | null = null;
const contexts: BrowserContext[] = [];
let room: { id: string; links: { participant: string } } | null = null;
let screen: { display: number; runDir: string } | null = null;

/**
 * A page with the player settings `decoder` and `sound` stored; `withoutWebCodecs` deletes VideoDecoder
 * first; `webAudioProbe` listens to what the page sends to its AudioContext's speakers.
 */
async function newPage(
  decoder: string,
  o: { withoutWebCodecs?: boolean; sound?: string; webAudioProbe?: boolean } = {},
): Promise<Page> {
  const { withoutWebCodecs = false, sound = 'auto' } = o;
  const ctx = await env!.browser.newContext({ viewport: { width: 1280, height: 800 } });
  contexts.push(ctx);
  await ctx.addInitScript(
    ([d, s]) => localStorage.setItem('boxroom.player', JSON.stringify({ decoder: d, sound: s })),
    [decoder, sound],
  );
  if (o.webAudioProbe) await installWebAudioProbe(ctx);
  if (withoutWebCodecs)
    await ctx.addInitScript(() => {
      delete (window as { VideoDecoder?: unknown }).VideoDecoder;
    });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.warn(`[page error] ${e.message}`));
  return page;
}

async function joinRoom(page: Page, name: string): Promise<void> {
  await page.goto(room!.links.participant);
  await page.locator('br-join-form input[name=name]').fill(name);
  await page.locator('br-join-form button[type=submit]').click();
  await page.locator('br-video-stage').waitFor();
}

const framesOf = async (page: Page) =>
  Number((await page.locator('[data-testid=frames]').textContent()) ?? 0);

/** The player the latency readout names. */
const decoderOf = async (page: Page) => (await page.locator('[data-testid=decoder]').textContent())?.trim();

/** Waits for `atLeast` presented frames; the room's pointer wiggles meanwhile (frames come on damage). */
async function waitFrames(page: Page, atLeast: number, timeoutMs = 15_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = await framesOf(page);
    if (n >= atLeast) return n;
    if (Date.now() > deadline) throw new Error(`only ${n} frames presented`);
    await wigglePointer(screen!.display, screen!.runDir);
  }
}

/** How the <video> gets its frames, and the mean colour of a rectangle of the picture (remote px). */
function videoState(page: Page, rect = { x: 0, y: 0, w: 8, h: 8 }) {
  return page.evaluate((r) => {
    const video = document
      .querySelector('br-room-page')!
      .shadowRoot!.querySelector('br-video-stage')!
      .shadowRoot!.querySelector('video')!;
    const c = document.createElement('canvas');
    c.width = c.height = 4;
    const g = c.getContext('2d', { willReadFrequently: true })!;
    g.drawImage(video, r.x, r.y, r.w, r.h, 0, 0, 4, 4);
    const d = g.getImageData(0, 0, 4, 4).data;
    const rgb = [0, 1, 2].map((k) => Math.round([0, 1, 2, 3].reduce((s, i) => s + d[i * 16 + k]!, 0) / 4));
    return {
      mediaStream: video.srcObject instanceof MediaStream,
      mse: video.src.startsWith('blob:'),
      width: video.videoWidth,
      rgb,
    };
  }, rect);
}

/** Not a harmonic of anything the room makes by itself; a tone at -6 dBFS reads near -30 dB per bin. */
const TONE_HZ = 1375;
const HEARD_DB = -60;

const audioTracks = (page: Page) =>
  page.evaluate(() => {
    const video = document
      .querySelector('br-room-page')!
      .shadowRoot!.querySelector('br-video-stage')!
      .shadowRoot!.querySelector('video')!;
    return video.srcObject instanceof MediaStream ? video.srcObject.getAudioTracks().length : -1;
  });

const near = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]!) < 40);

beforeAll(async () => {
  env = await startLocalRoomBrowser();
  room = await env.dash.createReadyRoom({ name: 'webcodecs e2e', width: 1280, height: 720 }, 60_000);
  screen = env.dash.localRoom(room.id);
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await env?.close();
}, 60_000);

describe('the WebCodecs player in Chromium', () => {
  it('presents the room through a MediaStream, shows a colour drawn there, and input reaches the room', async () => {
    const page = await newPage('webcodecs');
    await joinRoom(page, 'wanda');
    await waitFrames(page, 20);
    expect(await decoderOf(page)).toBe('WebCodecs');
    const s = await videoState(page);
    expect(s).toMatchObject({ mediaStream: true, mse: false, width: 1280 });

    // a colour drawn in the room reaches the picture
    const probe = ScreenProbe.start({
      kind: 'local',
      display: screen!.display,
      xauthority: join(screen!.runDir, 'xauthority'),
    });
    try {
      const rect = { x: 600, y: 300, w: 80, h: 60 };
      for (const rgb of [
        [255, 0, 255],
        [0, 200, 0],
      ]) {
        const hex = (rgb[0]! << 16) | (rgb[1]! << 8) | rgb[2]!;
        if (rgb[0] === 255) await probe.show(rect.x, rect.y, rect.w, rect.h, hex);
        else await probe.fill(hex);
        await expect
          .poll(async () => near((await videoState(page, { x: 620, y: 315, w: 40, h: 30 })).rgb, rgb), {
            timeout: 5000,
          })
          .toBe(true);
      }
    } finally {
      await probe.close();
    }

    // take control and type: the room runs the command, and the picture keeps coming
    await page.locator('br-control-panel button[data-action=request]').click();
    await page.locator('br-video-stage .overlay[data-phase=active]').waitFor({ timeout: 10_000 });
    const box = (await page.locator('br-video-stage .overlay').boundingBox())!;
    await page.mouse.click(box.x + box.width / 4, box.y + box.height / 4);
    const marker = join('/tmp', `boxroom-e2e-wc-${process.pid}-${Date.now()}`);
    try {
      await page.keyboard.type(`touch ${marker}`, { delay: 15 });
      await page.keyboard.press('Enter');
      await expect.poll(() => existsSync(marker), { timeout: 10_000 }).toBe(true);
    } finally {
      rmSync(marker, { force: true });
    }
    await waitFrames(page, (await framesOf(page)) + 10);
    await page.locator('br-control-panel button[data-action=release]').click();
  }, 90_000);

  it('plays the sound through Web Audio once unmuted (auto): a tone played in the room reaches the speakers', async () => {
    const page = await newPage('webcodecs', { webAudioProbe: true });
    await joinRoom(page, 'viola');
    await waitFrames(page, 5);
    await page.locator('br-video-stage button.unmute').click();
    await waitWebAudio(page);
    // the picture stays on its generated track; the <video> gets no audio track
    expect(await audioTracks(page)).toBe(0);
    const playing = playPcm(localPulseServer(env!.dash.localRoom(room!.id).pid!), sinePcm(TONE_HZ, 3));
    try {
      let best = -200;
      for (let deadline = Date.now() + 3000; best < HEARD_DB && Date.now() < deadline; await sleep(100))
        best = Math.max(best, (await spectrum(page, TONE_HZ)).atDb);
      expect(best).toBeGreaterThan(HEARD_DB);
    } finally {
      await playing;
    }
    expect(await decoderOf(page)).toBe('WebCodecs');
    await waitFrames(page, (await framesOf(page)) + 5);
  }, 60_000);

  it('plays the sound in the <video> once unmuted (sound setting `element`): a tone played in the room is in its audio track', async () => {
    const page = await newPage('webcodecs', { sound: 'element' });
    await joinRoom(page, 'ursula');
    await waitFrames(page, 5);
    await page.locator('br-video-stage button.unmute').click();
    // unmuting rebuilds the player with an audio track (AudioDecoder into a second generated track)
    await expect.poll(() => audioTracks(page), { timeout: 10_000 }).toBe(1);
    await page.evaluate(() => {
      const video = document
        .querySelector('br-room-page')!
        .shadowRoot!.querySelector('br-video-stage')!
        .shadowRoot!.querySelector('video')!;
      const ctx = new AudioContext();
      const analyser = ctx.createAnalyser();
      analyser.fftSize = 8192;
      analyser.smoothingTimeConstant = 0;
      ctx.createMediaStreamSource(video.srcObject as MediaStream).connect(analyser);
      // where audio-probe.ts's spectrum() reads
      (window as unknown as { __bxAudio: unknown }).__bxAudio = { ctx, analyser };
    });
    const playing = playPcm(localPulseServer(env!.dash.localRoom(room!.id).pid!), sinePcm(TONE_HZ, 3));
    try {
      let best = -200;
      for (let deadline = Date.now() + 3000; best < HEARD_DB && Date.now() < deadline; await sleep(100))
        best = Math.max(best, (await spectrum(page, TONE_HZ)).atDb);
      expect(best).toBeGreaterThan(HEARD_DB);
    } finally {
      await playing;
    }
    await waitFrames(page, (await framesOf(page)) + 5);
  }, 60_000);

  it('falls back to MSE where VideoDecoder is missing, and plays', async () => {
    const page = await newPage('webcodecs', { withoutWebCodecs: true });
    await joinRoom(page, 'mona');
    await waitFrames(page, 20);
    expect(await decoderOf(page)).toBe('MSE');
    expect(await videoState(page)).toMatchObject({ mediaStream: false, mse: true, width: 1280 });
  }, 60_000);
});
