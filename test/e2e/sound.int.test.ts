import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installAudioProbe, spectrum } from '../support/audio-probe.js';
import { launchChromium } from '../support/browser.js';
import { startLocalRoomBrowser, type LocalRoomBrowser } from '../support/local-room-browser.js';
import { sleep } from '../support/processes.js';
import { localPulseServer, playPcm, sinePcm } from '../support/room-sound.js';

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

describe('sound (local driver, Chromium)', () => {
  it('a participant who unmutes hears a tone played in the room, at its frequency, and silence without it', async () => {
    const { dash, browser } = env!;
    const room = await dash.createReadyRoom({ name: 'sound', width: 640, height: 360, fps: 30 });
    const pulse = localPulseServer(dash.localRoom(room.id).pid!);
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await ctx.newPage();
      await page.goto(room.links.participant);
      await page.locator('br-join-form input[name=name]').fill('listener');
      await page.locator('br-join-form button[type=submit]').click();
      // the page plays muted (video only) until the user asks for sound
      const unmute = page.locator('br-video-stage button.unmute');
      await unmute.waitFor({ timeout: 20_000 });
      await unmute.click();
      await installAudioProbe(page);

      // unmuted, nothing playing in the room: no tone
      const quiet = await levelAt(page, TONE_HZ);
      expect(quiet.atDb).toBeLessThan(HEARD_DB);

      const playing = playPcm(pulse, sinePcm(TONE_HZ, 4));
      let heard = { atDb: -200, peakHz: 0 };
      const deadline = Date.now() + 4000;
      while (heard.atDb < HEARD_DB && Date.now() < deadline) heard = await levelAt(page, TONE_HZ);
      expect(heard.atDb).toBeGreaterThan(HEARD_DB);
      // the loudest thing the page plays is the tone (bins are ~6 Hz wide)
      expect(Math.abs(heard.peakHz - TONE_HZ)).toBeLessThan(15);
      await playing;

      // the tone ended in the room, and in the page
      await expect
        .poll(async () => (await levelAt(page, TONE_HZ)).atDb, { timeout: 5000 })
        .toBeLessThan(HEARD_DB);
    } finally {
      await ctx.close();
      await dash.api('DELETE', `/api/rooms/${room.id}`).catch(() => {});
    }
  }, 120_000);
});
