import { roomSection } from '../lib/bench-section.js';
import { measureJoin, type JoinSample } from '../lib/join-probe.js';
import { stageSummaries } from '../lib/stats.js';
import { TARGETS } from '../lib/targets.js';

/**
 * Join: the room page opened (a returning participant: remembered name, no form) -> the first frame
 * presented; a first visit (through the name form) alternates with it, reported apart. `plan`: page loads of each kind.
 */
export const join = roomSection(
  {
    name: 'join',
    what: 'join: room page opened -> first frame (returning participant and first visit)',
    plan: { full: 20, quick: 5, smoke: 2 },
  },
  async (ctx, n, { room }) => {
    ctx.log(`join, ${n} page loads each, returning participant and first visit`);
    const runs = { returning: [] as JoinSample[], firstVisit: [] as JoinSample[] };
    for (let i = 0; i < n; i++) {
      for (const returning of [true, false]) {
        const r = await measureJoin(ctx.browser, room.links.participant, {
          returning,
          name: `joiner ${i}`,
          roomId: room.id,
        });
        if (r) runs[returning ? 'returning' : 'firstVisit'].push(r);
        else ctx.miss(returning ? 'join' : 'join_first_visit');
      }
    }
    ctx.add(
      {
        key: 'join',
        label: 'join, room page opened (remembered name) -> first frame presented',
        unit: 'ms',
        target: TARGETS.join,
      },
      runs.returning.map((r) => r.total),
      0,
    );
    ctx.add(
      {
        key: 'join_first_visit',
        label: 'join, first visit: room page opened -> name form -> first frame presented',
        unit: 'ms',
        target: TARGETS.joinFirstVisit,
      },
      runs.firstVisit.map((r) => r.total),
      0,
    );
    ctx.details.joinStages = stageSummaries(runs.returning.map((r) => r.stages));
    ctx.details.joinFirstVisitStages = stageSummaries(runs.firstVisit.map((r) => r.stages));
  },
);
