import { ownSection } from '../lib/bench-section.js';
import { measureGlassToGlass } from '../lib/glass-to-glass-metric.js';
import { closeProbedRoom, openProbedRoom } from '../lib/shared-room.js';

/** Glass-to-glass at 1080p30, on a room of its own. */
export const g2g1080 = ownSection(
  {
    name: 'g2g1080',
    what: 'glass-to-glass at 1080p30, on a room of its own',
    plan: { full: 100, quick: 15, smoke: 3 },
  },
  async (ctx, samples) => {
    const big = await openProbedRoom(ctx, { name: 'bench 1080p30', width: 1920, height: 1080, fps: 30 });
    const page = await ctx.openPlayingPage(big.room.links.participant);
    await measureGlassToGlass(ctx, '1080p30', page.page, big.room, samples, big.probe);
    await page.ctx.close();
    await closeProbedRoom(ctx, big);
  },
);
