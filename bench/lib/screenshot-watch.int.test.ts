import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchFirefox } from '../../test/support/firefox.js';
import { firstScreenshotShowing, type Clip, type ScreenshotPage } from './screenshot-watch.js';

/** The bench's screenshot check (`--screenshots`) on a real Firefox ESR: what it sees, and when. */
describe("Firefox's screenshots as the bench reads them", () => {
  let browser: Browser;
  let page: Page;
  let shots: ScreenshotPage;
  const clip: Clip = { x: 40, y: 30, width: 60, height: 40 };
  beforeAll(async () => {
    browser = await launchFirefox();
    page = await browser.newPage();
    await page.setContent(
      '<html style="height:100%"><body style="margin:0;height:100%;background:#000"><div id="box" style="position:absolute;left:20px;top:10px;width:100px;height:80px;background:#f0f"></div></body>',
    );
    shots = {
      screenshot: (o) => page.screenshot(o),
      evaluate: (fn, arg) => page.evaluate(fn as (a: unknown) => unknown, arg) as never,
    };
  }, 60_000);
  afterAll(() => browser?.close());

  it('sees a colour the page already shows at once, and a change soon after it is made', async () => {
    const now = await firstScreenshotShowing(
      shots,
      clip,
      { x: 0, y: 0, w: 0, h: 0, rgb: [255, 0, 255] },
      Date.now() + 3000,
    );
    expect(now).not.toBeNull();
    expect(now!.by).toBeGreaterThanOrEqual(now!.from);

    const seen = firstScreenshotShowing(
      shots,
      clip,
      { x: 0, y: 0, w: 0, h: 0, rgb: [255, 255, 0] },
      Date.now() + 5000,
    );
    await new Promise((r) => setTimeout(r, 300));
    const changedAt = Date.now();
    await page.evaluate(() => (document.getElementById('box')!.style.background = '#ff0'));
    const hit = await seen;
    expect(hit).not.toBeNull();
    // not before the change: the shots taken in the 300 ms before it showed magenta
    expect(hit!.by).toBeGreaterThanOrEqual(changedAt);
    expect(hit!.by - changedAt).toBeLessThan(1000);
  }, 30_000);

  it('gives up at the deadline when the colour never shows, outside the clip either', async () => {
    await page.evaluate(() => {
      document.getElementById('box')!.style.background = '#000';
      document.body.style.background = '#00f';
    });
    const clipOfBox: Clip = { x: 30, y: 20, width: 20, height: 20 };
    const started = Date.now();
    const hit = await firstScreenshotShowing(
      shots,
      clipOfBox,
      { x: 0, y: 0, w: 0, h: 0, rgb: [0, 0, 255] },
      started + 800,
    );
    expect(hit).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
    expect(Date.now() - started).toBeLessThan(3000);
  }, 30_000);
});
