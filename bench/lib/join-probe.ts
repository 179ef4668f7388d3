/// <reference lib="dom" />
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { sleep } from '../../test/support/processes.js';
import { recordFirstFrame, waitFirstFrame } from './page-probe.js';

/** The room page's own name key (web/src/core/display-name.ts). */
const NAME_KEY = 'boxroom.displayName';

export interface JoinSample {
  /** the room page opened (before `page.goto`) -> the first frame presented, ms */
  total: number;
  /** when each step happened, ms after the page was opened */
  stages: Record<string, number>;
}

/**
 * How long a new tab is left alone before it is used. Headless Chromium builds each new context's
 * window with its own browser UI (its omnibox popup is a WebUI page of ~140 resources) in the first
 * few hundred ms; a person's browser has that done before they open a link. A probe against one room
 * (10 loads each, alternating): page opened -> first frame p50 702-804 ms at once, 616-618 ms after 1 s.
 */
const TAB_SETTLE_MS = 1000;

/**
 * A fresh browser context and an empty tab, as a browser that is already open: the context remembers
 * `name` (when given: a returning participant, whose room page joins without the form), and the
 * first-frame probe is installed. Nothing is loaded yet; the browser has settled (TAB_SETTLE_MS).
 */
export async function openTab(
  browser: Browser,
  name: string | null,
): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    if (name !== null) await ctx.addInitScript(([k, v]) => localStorage.setItem(k!, v!), [NAME_KEY, name]);
    const page = await ctx.newPage();
    await recordFirstFrame(page);
    await sleep(TAB_SETTLE_MS);
    return { ctx, page };
  } catch (err) {
    await ctx.close();
    throw err;
  }
}

/**
 * One join in a fresh browser context, timed from `page.goto` of the room link to the first presented
 * frame. `returning`: the context remembers a display name (put in its localStorage before any page
 * script), so the page joins at once; otherwise a first visit, through the name form. Null: no frame
 * within timeoutMs.
 */
export async function measureJoin(
  browser: Browser,
  link: string,
  opts: { returning: boolean; name: string; roomId: string; timeoutMs?: number },
): Promise<JoinSample | null> {
  const { ctx, page } = await openTab(browser, opts.returning ? opts.name : null);
  try {
    const t0 = Date.now();
    let formAt = NaN;
    if (opts.returning) await page.goto(link, { waitUntil: 'commit' });
    else {
      await page.goto(link);
      await page.locator('br-join-form input[name=name]').fill(opts.name);
      formAt = Date.now();
      await page.locator('br-join-form button[type=submit]').click();
    }
    const first = await waitFirstFrame(page, opts.timeoutMs ?? 15_000);
    if (!first) return null;
    // script chunks, from Resource Timing (relative to the navigation, like performance.now())
    const chunks = await page.evaluate(() =>
      [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')].map(
        (e) => ({
          name: e.entryType === 'navigation' ? 'page HTML' : e.name,
          end: performance.timeOrigin + (e as PerformanceResourceTiming).responseEnd,
        }),
      ),
    );
    const chunk = (part: string) => chunks.find((c) => c.name.includes(part))?.end ?? NaN;
    const f = (part: string) => first.fetches.find((x) => x.url.includes(part));
    const since = (t: number | undefined) => (t ?? NaN) - t0;
    return {
      total: first.displayedAt - t0,
      stages: {
        'navigation started': first.navigationAt - t0,
        'page HTML received': since(chunk('page HTML')),
        'main code loaded': since(chunk('/assets/index-')),
        'room page code loaded': since(chunk('/assets/br-room-page-')),
        'player code loaded': since(chunk('/assets/mpegts-loader-')),
        ...(opts.returning ? {} : { 'name typed (form shown)': formAt - t0 }),
        'join requested': since(f('/join')?.start),
        'join answered (token)': since(f('/join')?.headers),
        'room status answered (GET, none when ready)': since(
          first.fetches.find((x) => x.url.endsWith(`/api/rooms/${opts.roomId}`))?.headers,
        ),
        'stream requested': since(f('/stream')?.start),
        'stream response headers': since(f('/stream')?.headers),
        'first frame presented': first.displayedAt - t0,
      },
    };
  } finally {
    await ctx.close();
  }
}
