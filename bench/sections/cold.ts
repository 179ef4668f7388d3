import { waitFirstFrame } from '../lib/page-probe.js';
import { ownSection } from '../lib/bench-section.js';
import { stageSummaries } from '../lib/stats.js';

/** Cold start: POST /api/rooms -> the first frame presented on the room page (`plan`: rooms, one by one). */
export const cold = ownSection(
  {
    name: 'cold',
    what: 'cold start: POST /api/rooms -> first frame presented in Chromium',
    plan: { full: 5, quick: 2, smoke: 1 },
  },
  async (ctx, rooms) => {
    const { driver } = ctx.opts;
    ctx.log(`cold start (${driver}), ${rooms} rooms`);
    const cold: number[] = [];
    const stages: Array<Record<string, number>> = [];
    for (let i = 0; i < rooms; i++) {
      const t0 = Date.now();
      const room = await ctx.rooms.create({ name: `bench cold ${i}` });
      const created = Date.now();
      const ready = ctx.rooms.waitReady(room.id);
      const p = await ctx.openPage(room.links.participant);
      const first = await waitFirstFrame(p.page, 60_000);
      const readyAt = await ready;
      if (first) {
        cold.push(first.displayedAt - t0);
        stages.push({
          'POST answered': created - t0,
          'API says ready': readyAt - t0,
          'stream response headers':
            (first.fetches.find((f) => f.url.includes('/stream'))?.headers ?? NaN) - t0,
          'first frame presented': first.displayedAt - t0,
        });
      } else ctx.miss('cold');
      await p.ctx.close();
      await ctx.rooms.delete(room.id);
    }
    ctx.add(
      {
        key: `cold_start_${driver}`,
        label: `cold start, POST /api/rooms -> first frame in Chromium (${driver})`,
        unit: 'ms',
        target: driver === 'docker' ? { p50: 2000 } : undefined,
      },
      cold,
      0,
    );
    ctx.details.coldStartStages = stageSummaries(stages);
  },
);
