import type { Target } from './page-probe.js';
import { pngMeanRgb } from './png-mean.js';

/** A page the browser can photograph: puppeteer's (Firefox over WebDriver BiDi) has it. */
export interface ScreenshotPage {
  screenshot(o: { clip: Clip; type: 'png' }): Promise<Uint8Array>;
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
}

export interface Clip {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Where `region` (remote screen pixels) is on the room page, in CSS pixels: the room page's <video>
 * letterboxes the picture (object-fit: contain), so the picture is centred in the element at one scale.
 */
export async function regionOnPage(
  page: ScreenshotPage,
  region: { x: number; y: number; w: number; h: number },
  room: { width: number; height: number },
): Promise<Clip> {
  const r = await page.evaluate(() => {
    const v = document
      .querySelector('br-room-page')
      ?.shadowRoot?.querySelector('br-video-stage')
      ?.shadowRoot?.querySelector('video');
    if (!v) throw new Error('no <video> on the room page');
    const b = v.getBoundingClientRect();
    return { x: b.x, y: b.y, w: b.width, h: b.height };
  }, null);
  const k = Math.min(r.w / room.width, r.h / room.height);
  const left = r.x + (r.w - room.width * k) / 2;
  const top = r.y + (r.h - room.height * k) / 2;
  return { x: left + region.x * k, y: top + region.y * k, width: region.w * k, height: region.h * k };
}

/**
 * The browser's own screenshots of a region, one after the other, until one shows the target's colour
 * or `giveUpAt` (wall clock) passes: when the target was first on them (the first such shot was
 * requested at `from` and returned at `by`), or null. A screenshot goes through the browser's
 * compositor, not the page's scripts, so it checks what the page's frame callbacks report. Each takes
 * ~20 ms headless and costs CPU the player would otherwise have: the bench takes them only when asked.
 */
export async function firstScreenshotShowing(
  page: ScreenshotPage,
  clip: Clip,
  target: Target,
  giveUpAt: number,
): Promise<{ from: number; by: number } | null> {
  while (Date.now() < giveUpAt) {
    const from = Date.now();
    const png = await page.screenshot({ clip, type: 'png' });
    const by = Date.now();
    if (pngMeanRgb(png).every((v, c) => Math.abs(v - target.rgb[c]!) < 60)) return { from, by };
  }
  return null;
}
