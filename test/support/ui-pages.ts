import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './browser.js';
import type { DashboardProcess } from './dashboard-process.js';

/**
 * One Chromium and the pages a browser test opens, each in a fresh context (no name remembered, no
 * cookie shared); `close()` ends them all, whatever the test left open.
 */
export class UiPages {
  private readonly contexts: BrowserContext[] = [];

  private constructor(readonly browser: Browser) {}

  static async launch(): Promise<UiPages> {
    return new UiPages(await launchChromium());
  }

  /** A page whose confirmations (remove someone, revoke a link) are accepted. */
  async newPage(viewport = { width: 1280, height: 800 }): Promise<Page> {
    const ctx = await this.browser.newContext({ viewport });
    this.contexts.push(ctx);
    const page = await ctx.newPage();
    page.on('pageerror', (e) => console.warn(`[page error] ${e.message}`));
    page.on('dialog', (d) => void d.accept());
    return page;
  }

  async close(): Promise<void> {
    for (const c of this.contexts) await c.close().catch(() => {});
    await this.browser.close().catch(() => {});
  }
}

/** A first visit of a room link: the page asks for a name, then plays the room. */
export async function joinRoomPage(page: Page, link: string, name: string): Promise<void> {
  await page.goto(link);
  await page.locator('br-join-form input[name=name]').fill(name);
  await page.locator('br-join-form button[type=submit]').click();
  await page.locator('br-video-stage').waitFor();
}

/** The dashboard page, signed in with the admin token: its create form is there. */
export async function signInDashboard(page: Page, dash: DashboardProcess): Promise<void> {
  await page.goto(dash.url + '/');
  await page.locator('br-sign-in input[name=token]').fill(dash.adminToken);
  await page.locator('br-sign-in button[type=submit]').click();
  await page.locator('br-create-room input[name=name]').waitFor();
}
