import { ownSection } from '../lib/bench-section.js';
import { RELAY_PLANS, runRelay } from '../lib/relay.js';

/** Relay fan-out over two dashboard replicas on PostgreSQL, measured against its targets (issue 19). */
export const relay = ownSection(
  {
    name: 'relay',
    what: 'relay: 1,000 WS readers over two dashboard replicas; glass-to-glass, CPU per viewer (only with --only relay)',
    plan: RELAY_PLANS,
    onRequest: true,
  },
  async (ctx, plan) => {
    ctx.relay = await runRelay(ctx, plan);
  },
);
