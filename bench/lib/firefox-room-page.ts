import type { Page } from 'puppeteer-core';
import { launchFirefox } from '../../test/support/firefox.js';
import { sleep } from '../../test/support/processes.js';
import type { BenchContext } from './bench-context.js';
import { installProbe, type ProbePage } from './page-probe.js';
import type { ScreenshotPage } from './screenshot-watch.js';

/**
 * A room link opened in Firefox ESR (a browser of its own, closed by cleanup), joined through the name
 * form as a person would, playing, with the frame probe installed: ready for glass-to-glass samples.
 */
export async function openFirefoxRoomPage(
  ctx: BenchContext,
  link: string,
): Promise<{ page: Page; probe: ProbePage & ScreenshotPage }> {
  const browser = await launchFirefox();
  ctx.cleanup.add('close Firefox', () => browser.close());
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  // `--player`: the same localStorage settings the Chromium contexts get (bench-run.ts)
  const settings = ctx.opts.player ? JSON.stringify(ctx.opts.player) : null;
  if (settings) await page.evaluateOnNewDocument((v) => localStorage.setItem('boxroom.player', v), settings);
  await page.goto(link);
  await (await page.waitForSelector('>>> br-join-form >>> input[name=name]'))!.type('bench firefox');
  await (await page.waitForSelector('>>> br-join-form >>> button[type=submit]'))!.click();
  const readout = (await page.waitForSelector('>>> [data-testid=frames]', { timeout: 15_000 }))!;
  const deadline = Date.now() + 30_000;
  while (Number(await readout.evaluate((e) => e.textContent)) < 3) {
    if (Date.now() > deadline) throw new Error('the room page presented no frames in Firefox');
    await sleep(200);
  }
  // as openPlayingPage: the live-edge controller settles first
  await sleep(ctx.opts.mode === 'smoke' ? 1000 : 3000);
  const probe = asProbePage(page);
  await installProbe(probe, 'room');
  return { page, probe };
}

/** Puppeteer types evaluate's arguments through its element handles; the probe's are plain data. */
const asProbePage = (page: Page): ProbePage & ScreenshotPage => ({
  screenshot: (o) => page.screenshot(o),
  evaluate: <R, A>(fn: (arg: A) => R | Promise<R>, arg: A) =>
    page.evaluate(fn as (arg: unknown) => R | Promise<R>, arg) as Promise<R>,
});
