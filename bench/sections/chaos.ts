import { ownSection } from '../lib/bench-section.js';
import { CHAOS_PLANS, runChaos } from '../lib/chaos.js';

/** Seeded kills of room processes, agents and the dashboard under viewers and a controller (issue 12). */
export const chaos = ownSection(
  {
    name: 'chaos',
    what: 'chaos: seeded kills of room processes, agents and the dashboard (only with --only chaos)',
    plan: CHAOS_PLANS,
    onRequest: true,
  },
  async (ctx, plan) => {
    ctx.chaos = await runChaos(ctx, plan, ctx.opts.seed ?? 1);
  },
);
