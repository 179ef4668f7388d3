import { roomSection } from '../lib/bench-section.js';
import { measureGlassToGlass } from '../lib/glass-to-glass-metric.js';

/** Glass-to-glass at 720p30, with a Node reader tapping the same frames. */
export const g2g720 = roomSection(
  {
    name: 'g2g720',
    what: 'glass-to-glass at 720p30: screen change -> frame presented in Chromium',
    plan: { full: 150, quick: 40, smoke: 4 },
  },
  async (ctx, samples, shared) => {
    const page = await shared.page();
    await measureGlassToGlass(ctx, '720p30', page.page, shared.room, samples, shared.probe);
  },
);
