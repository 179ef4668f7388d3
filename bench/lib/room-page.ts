import type { Browser, BrowserContext, Page } from 'playwright-core';
import { sleep } from '../../test/support/processes.js';
import { recordFirstFrame } from './page-probe.js';

export interface RoomPage {
  ctx: BrowserContext;
  page: Page;
}

/** A fresh browser context on a room link (fragment invite), as a person opening it. */
export async function openRoomLink(browser: Browser, link: string, name = 'bench'): Promise<RoomPage> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  await recordFirstFrame(page);
  await page.goto(link);
  const field = page.locator('br-join-form input[name=name]');
  // a concurrent `npm run build -w web` (another test run) can swap the hashed assets under a page
  // that is loading: load it once more rather than fail the whole run
  if (
    !(await field.waitFor({ timeout: 10_000 }).then(
      () => true,
      () => false,
    ))
  )
    await page.reload();
  await field.fill(name);
  await page.locator('br-join-form button[type=submit]').click();
  return { ctx, page };
}

export async function framesPresented(page: Page): Promise<number> {
  return Number((await page.locator('[data-testid=frames]').textContent()) ?? 0);
}

/** Waits until `atLeast` frames were presented, then `settleMs` for the live-edge controller. */
export async function waitPlaying(
  page: Page,
  atLeast = 30,
  settleMs = 3000,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await framesPresented(page).catch(() => 0)) < atLeast) {
    if (Date.now() > deadline) throw new Error(`the room page presented fewer than ${atLeast} frames`);
    await sleep(200);
  }
  await sleep(settleMs);
}

/** Request control on the room page and focus the remote app (a click in the middle of the picture). */
export async function takeControl(page: Page): Promise<void> {
  await page.locator('br-control-panel button[data-action=request]').click();
  await page.locator('br-video-stage .overlay[data-phase=active]').waitFor({ timeout: 15_000 });
  const box = (await page.locator('br-video-stage .overlay').boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}
