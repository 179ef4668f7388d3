import { sleep } from '../../test/support/processes.js';
import { roomSection } from '../lib/bench-section.js';
import { latencies, sampleGlassToGlass } from '../lib/glass-to-glass.js';
import { HlsBaseline } from '../lib/hls-baseline.js';
import { installProbe, recordFirstFrame, waitFirstFrame } from '../lib/page-probe.js';

/** The HLS baseline (hls.js defaults, 1 s segments): same room, same probe. */
export const hls = roomSection(
  {
    name: 'hls',
    what: 'baseline: the same room through HLS (1 s segments, hls.js defaults)',
    plan: { full: 30, quick: 5, smoke: 2 },
  },
  async (ctx, n, { room, probe }) => {
    ctx.log(`HLS baseline (hls.js defaults, 1 s segments), ${n} samples`);
    const token = await ctx.rooms.token(room.id, room.links.viewer, 'hls');
    const baseline = await HlsBaseline.start(ctx.rooms.url(room.id, 'stream.flv', token));
    ctx.cleanup.add('stop the HLS baseline', () => baseline.stop());
    const hctx = await ctx.browser.newContext({ viewport: { width: 1280, height: 800 } });
    ctx.cleanup.add('close the HLS page', () => hctx.close());
    const page = await hctx.newPage();
    await recordFirstFrame(page);
    await page.goto(baseline.url);
    if (!(await waitFirstFrame(page, 30_000))) throw new Error('the HLS page presented no frame');
    await sleep(2000);
    await installProbe(page, 'plain');
    const run = await sampleGlassToGlass(page, probe, room, n, { timeoutMs: 12_000 });
    ctx.misses.hls = run.misses;
    ctx.add(
      { key: 'hls_g2g', label: 'baseline: HLS 1 s segments, hls.js defaults, glass-to-glass', unit: 'ms' },
      latencies(run.samples),
    );
    await hctx.close();
    await baseline.stop();
  },
);
