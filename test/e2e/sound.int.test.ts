import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installAudioProbe, spectrum } from '../support/audio-probe.js';
import { launchChromium } from '../support/browser.js';
import { startLocalRoomBrowser, type LocalRoomBrowser } from '../support/local-room-browser.js';
import { sleep } from '../support/processes.js';
import { localPulseServer, playPcm, sinePcm } from '../support/room-sound.js';
import { installWebAudioProbe, speakerConnections, waitWebAudio } from '../support/webaudio-probe.js';

/** Not a harmonic of anything the room makes by itself, and well inside AAC's band at 128 kbit/s. */
const TONE_HZ = 1375;
/** The analyser's threshold: a tone at -6 dBFS arrives near -30 dB per bin; silence is below -100. */
const HEARD_DB = -60;

let env: LocalRoomBrowser | null = null;

beforeAll(async () => {
  // Chromium's own autoplay policy: the page's sound must start from the user's click on Unmute
  env = await startLocalRoomBrowser(() => launchChromium({ gestureForSound: true }));
}, 120_000);

afterAll(async () => {
  await env?.close();
}, 60_000);

/** The analyser's reading at the tone's frequency, the loudest of a few over ~0.5 s. */
async function levelAt(page: Page, hz: number): Promise<{ atDb: number; peakHz: number }> {
  let best = { atDb: -200, peakHz: 0 };
  for (let i = 0; i < 4; i++) {
    const s = await spectrum(page, hz);
    if (s.atDb > best.atDb) best = { atDb: s.atDb, peakHz: s.peakHz };
    await sleep(120);
  }
  return best;
}

/** Polls until the tone is heard (or `ms` pass) and returns the loudest reading. */
async function hear(page: Page, ms = 4000): Promise<{ atDb: number; peakHz: number }> {
  let heard = { atDb: -200, peakHz: 0 };
  const deadline = Date.now() + ms;
  while (heard.atDb < HEARD_DB && Date.now() < deadline) heard = await levelAt(page, TONE_HZ);
  return heard;
}

const soundOf = async (page: Page) => (await page.locator('[data-testid=sound]').textContent())?.trim();

interface Case {
  name: string;
  /** the player setting `sound` stored before the page loads */
  sound: 'auto' | 'element';
  /** delete AudioDecoder before the page loads (a browser without it, or not a secure context) */
  withoutAudioDecoder?: boolean;
  /** what the latency readout says while unmuted */
  readout: RegExp;
  /** where the probe listens: the AudioContext's speakers, or the <video>'s own audio */
  probe: 'webaudio' | 'element';
}

const CASES: Case[] = [
  {
    name: 'through Web Audio (auto)',
    sound: 'auto',
    readout: /^Web Audio, \d+ ms ahead$/,
    probe: 'webaudio',
  },
  { name: 'in the element (setting)', sound: 'element', readout: /^in the player$/, probe: 'element' },
  {
    name: 'in the element where AudioDecoder is missing (auto)',
    sound: 'auto',
    withoutAudioDecoder: true,
    readout: /^in the player$/,
    probe: 'element',
  },
];

async function openRoom(c: Case, link: string): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await env!.browser.newContext({ viewport: { width: 1280, height: 800 } });
  await ctx.addInitScript(
    (s) => localStorage.setItem('boxroom.player', JSON.stringify({ sound: s })),
    c.sound,
  );
  if (c.withoutAudioDecoder)
    await ctx.addInitScript(() => {
      delete (window as { AudioDecoder?: unknown }).AudioDecoder;
    });
  // on every path: the element's cases check that the page made no AudioContext of its own
  await installWebAudioProbe(ctx);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.warn(`[page error] ${e.message}`));
  await page.goto(link);
  await page.locator('br-join-form input[name=name]').fill('listener');
  await page.locator('br-join-form button[type=submit]').click();
  return { ctx, page };
}

describe('sound (local driver, Chromium)', () => {
  for (const c of CASES)
    it(`a participant who unmutes hears a tone played in the room, ${c.name}, and silence without it`, async () => {
      const { dash } = env!;
      const room = await dash.createReadyRoom({ name: 'sound', width: 640, height: 360, fps: 30 });
      const pulse = localPulseServer(dash.localRoom(room.id).pid!);
      let ctx: BrowserContext | null = null;
      try {
        const opened = await openRoom(c, room.links.participant);
        ctx = opened.ctx;
        const page = opened.page;
        // the page plays muted (video only) until the user asks for sound
        const unmute = page.locator('br-video-stage button.unmute');
        await unmute.waitFor({ timeout: 20_000 });
        expect(await soundOf(page)).toBe('muted');
        await unmute.click();
        if (c.probe === 'webaudio') await waitWebAudio(page);
        else await installAudioProbe(page);
        await expect.poll(() => soundOf(page), { timeout: 5000 }).toMatch(c.readout);

        // unmuted, nothing playing in the room: no tone
        const quiet = await levelAt(page, TONE_HZ);
        expect(quiet.atDb).toBeLessThan(HEARD_DB);

        const playing = playPcm(pulse, sinePcm(TONE_HZ, 4));
        const heard = await hear(page);
        expect(heard.atDb).toBeGreaterThan(HEARD_DB);
        // the loudest thing the page plays is the tone (bins are ~6 Hz wide)
        expect(Math.abs(heard.peakHz - TONE_HZ)).toBeLessThan(15);
        // Web Audio: one node (the page's volume) feeds the speakers; the element: none does
        expect(await speakerConnections(page)).toBe(c.probe === 'webaudio' ? 1 : 0);
        if (c.probe === 'webaudio') {
          // Mute stops the sound at once, while the tone still plays in the room: the page closes its
          // AudioContext (which plays nothing more; an analyser on it keeps its last reading)
          await page.locator('br-video-stage .bar button[aria-label=Mute]').click();
          const silent = async () =>
            (await page.evaluate(
              () => (window as unknown as { __bxAudio: { ctx: BaseAudioContext } }).__bxAudio.ctx.state,
            )) === 'closed' || (await levelAt(page, TONE_HZ)).atDb < HEARD_DB;
          await expect.poll(silent, { timeout: 2000 }).toBe(true);
          expect(await soundOf(page)).toBe('muted');
        }
        await playing;

        // the tone ended in the room, and in the page (Web Audio: muted above, its context closed)
        if (c.probe === 'element')
          await expect
            .poll(async () => (await levelAt(page, TONE_HZ)).atDb, { timeout: 5000 })
            .toBeLessThan(HEARD_DB);
      } finally {
        await ctx?.close();
        await dash.api('DELETE', `/api/rooms/${room.id}`).catch(() => {});
      }
    }, 120_000);
});
