import { sleep } from '../../test/support/processes.js';
import type { BenchContext } from './bench-context.js';
import type { BenchRoom } from './bench-rooms.js';
import { FlvTap } from './flv-tap.js';
import {
  breakdown,
  BY_FRAME_CALLBACK,
  latencies,
  presentedAt,
  probeRegion,
  sampleGlassToGlass,
  type PresentedBy,
} from './glass-to-glass.js';
import { refreshInterval, type ProbePage } from './page-probe.js';
import type { ScreenProbe } from './screen-probe.js';
import type { ScreenshotPage } from './screenshot-watch.js';
import { TARGETS } from './targets.js';

/** The browser a room page runs in: its name in labels, and what its metric keys end with. */
export interface G2gBrowser {
  name: string;
  /** '' for Chromium, whose keys (`g2g_720p30`) predate the others */
  keySuffix: string;
  /**
   * T1: the player's frame callback (expectedDisplayTime), or the refresh after the first animation
   * frame that draws the change (Firefox: see PresentedBy)
   */
  presented?: PresentedBy['kind'];
  /** watch the browser's screenshots too (`--screenshots`: a check on T1, at some CPU) */
  screenshots?: ScreenshotPage;
}

export const CHROMIUM_PAGE: G2gBrowser = { name: 'Chromium', keySuffix: '' };

/**
 * `n` glass-to-glass samples on a playing room page (`label`: 720p30, 1080p30), with a Node reader
 * tapping the same frames, so the report can say where the time goes (capture, relay, player).
 */
export async function measureGlassToGlass(
  ctx: BenchContext,
  label: string,
  page: ProbePage,
  r: BenchRoom,
  n: number,
  screen: ScreenProbe,
  browser: G2gBrowser = CHROMIUM_PAGE,
): Promise<void> {
  const key = `g2g_${label}${browser.keySuffix}`;
  const where = browser.keySuffix ? `${label} ${browser.name}` : label;
  ctx.log(`glass-to-glass ${where}, ${n} samples`);
  const tap = new FlvTap(await ctx.rooms.streamWs(r, 'tap'), probeRegion(r.width, r.height));
  ctx.cleanup.add('stop the tap', async () => tap.close());
  await sleep(1500);
  const by: PresentedBy =
    browser.presented === 'animation-frame'
      ? { kind: 'animation-frame', refreshMs: await refreshInterval(page) }
      : BY_FRAME_CALLBACK;
  const res = await sampleGlassToGlass(page, screen, r, n, {
    tap,
    ...(browser.screenshots ? { screenshots: browser.screenshots } : {}),
  });
  tap.close();
  ctx.misses[key] = res.misses;
  ctx.add(
    {
      key,
      label: `glass-to-glass ${r.width}x${r.height}@30, screen change -> presented in ${browser.name}`,
      unit: 'ms',
      target: TARGETS.g2g[label],
    },
    latencies(res.samples, by),
  );
  ctx.breakdown[where] = breakdown(res.samples, tap.minOffset, browser.name, by);
  // every sample, relative to its screen change (ms): where a tail comes from
  const all = (ctx.details.g2gSamples ??= {}) as Record<string, unknown>;
  all[where] = res.samples.map((x) => ({
    atReader: x.tapArrivedAt === null ? null : x.tapArrivedAt - x.changedAt,
    displayed: x.displayedAt - x.changedAt,
    presented: presentedAt(x, by) - x.changedAt,
    animationFrame: x.rafAt === null ? null : x.rafAt - x.changedAt,
    screenshot: x.shot === null ? null : x.shot.by - x.changedAt,
    bufferMs: Math.round(x.bufferMs),
  }));
}
