import { sleep } from '../../test/support/processes.js';
import type { BenchContext } from './bench-context.js';
import type { BenchRoom } from './bench-rooms.js';
import { FlvTap } from './flv-tap.js';
import { breakdown, latencies, probeRegion, sampleGlassToGlass } from './glass-to-glass.js';
import type { RoomPage } from './room-page.js';
import type { ScreenProbe } from './screen-probe.js';

/**
 * `n` glass-to-glass samples on a playing room page (`label`: 720p30, 1080p30), with a Node reader
 * tapping the same frames, so the report can say where the time goes (capture, relay, player).
 */
export async function measureGlassToGlass(
  ctx: BenchContext,
  label: string,
  p: RoomPage,
  r: BenchRoom,
  n: number,
  screen: ScreenProbe,
): Promise<void> {
  ctx.log(`glass-to-glass ${label}, ${n} samples`);
  const tap = new FlvTap(await ctx.rooms.streamWs(r, 'tap'), probeRegion(r.width, r.height));
  ctx.cleanup.add('stop the tap', async () => tap.close());
  await sleep(1500);
  const res = await sampleGlassToGlass(p.page, screen, r, n, { tap });
  tap.close();
  ctx.misses[`g2g_${label}`] = res.misses;
  ctx.add(
    {
      key: `g2g_${label}`,
      label: `glass-to-glass ${r.width}x${r.height}@30, screen change -> presented in Chromium`,
      unit: 'ms',
      target: label === '720p30' ? { p50: 50, p95: 80 } : undefined,
    },
    latencies(res.samples),
  );
  ctx.breakdown[label] = breakdown(res.samples, tap.minOffset);
  // every sample, relative to its screen change (ms): where a tail comes from
  const all = (ctx.details.g2gSamples ??= {}) as Record<string, unknown>;
  all[label] = res.samples.map((x) => ({
    atReader: x.tapArrivedAt === null ? null : x.tapArrivedAt - x.changedAt,
    displayed: x.displayedAt - x.changedAt,
    bufferMs: Math.round(x.bufferMs),
  }));
}
