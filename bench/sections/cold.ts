import { DashboardProcess } from '../../test/support/dashboard-process.js';
import { sleep } from '../../test/support/processes.js';
import type { BenchContext } from '../lib/bench-context.js';
import { BenchRooms } from '../lib/bench-rooms.js';
import { openTab } from '../lib/join-probe.js';
import { waitFirstFrame } from '../lib/page-probe.js';
import { ownSection } from '../lib/bench-section.js';
import { stageSummaries } from '../lib/stats.js';
import { TARGETS } from '../lib/targets.js';

/**
 * POST /api/rooms on `rooms`, then its room link in a tab that was open already, of a browser that
 * remembers the participant's name (as the operator who creates a room and opens it), until the first
 * frame: the stages, ms after the POST. Opening the browser and typing a name are not the room's start
 * (the join section times the name form).
 */
async function startToFirstFrame(
  ctx: BenchContext,
  rooms: BenchRooms,
  name: string,
): Promise<Record<string, number> | null> {
  const tab = await openTab(ctx.browser, 'bench');
  try {
    const t0 = Date.now();
    const room = await rooms.create({ name });
    const created = Date.now();
    try {
      const ready = rooms.waitReady(room.id);
      ready.catch(() => {}); // awaited below, after the page: not unhandled meanwhile
      await tab.page.goto(room.links.participant, { waitUntil: 'commit' });
      const first = await waitFirstFrame(tab.page, 60_000);
      const readyAt = await ready;
      if (!first) return null;
      return {
        'POST answered': created - t0,
        'API says ready': readyAt - t0,
        'join answered (token)': (first.fetches.find((f) => f.url.includes('/join'))?.headers ?? NaN) - t0,
        'stream response headers':
          (first.fetches.find((f) => f.url.includes('/stream'))?.headers ?? NaN) - t0,
        'first frame presented': first.displayedAt - t0,
      };
    } finally {
      await rooms.delete(room.id);
    }
  } finally {
    await tab.ctx.close();
  }
}

/** Until the dashboard's warm pool has a room ready to take (boxroom_pool_rooms{state="ready"}). */
async function poolWarm(dash: DashboardProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${dash.url}/metrics`, {
      headers: { authorization: `Bearer ${dash.adminToken}` },
    });
    const m = /^boxroom_pool_rooms\{state="ready"\} (\d+)$/m.exec(await res.text());
    if (m && Number(m[1]) > 0) return;
    if (Date.now() > deadline) throw new Error('the warm pool never had a ready room');
    await sleep(100);
  }
}

/**
 * Cold start: POST /api/rooms -> the first frame presented on the room page (`plan`: rooms, one by
 * one), from a dashboard without a pool (the run's), then from one with a warm pool of one terminal
 * room (BOXROOM_POOL, started for this), each create once the pool is warm again.
 */
export const cold = ownSection(
  {
    name: 'cold',
    what: 'cold start: POST /api/rooms -> first frame presented in Chromium, cold and from the warm pool',
    plan: { full: 5, quick: 2, smoke: 1 },
  },
  async (ctx, rooms) => {
    const { driver } = ctx.opts;
    ctx.log(`cold start (${driver}), ${rooms} rooms`);
    const cold: number[] = [];
    const stages: Array<Record<string, number>> = [];
    for (let i = 0; i < rooms; i++) {
      const s = await startToFirstFrame(ctx, ctx.rooms, `bench cold ${i}`);
      if (s) {
        cold.push(s['first frame presented']!);
        stages.push(s);
      } else ctx.miss('cold');
    }
    ctx.add(
      {
        key: `cold_start_${driver}`,
        label: `cold start, POST /api/rooms -> first frame in Chromium (${driver})`,
        unit: 'ms',
        target: driver === 'docker' ? TARGETS.coldDocker : undefined,
      },
      cold,
      0,
    );
    ctx.details.coldStartStages = stageSummaries(stages);

    ctx.log(`cold start from the warm pool (${driver}), ${rooms} rooms`);
    const dash = await DashboardProcess.start({
      driver,
      env: {
        BOXROOM_LOG_LEVEL: 'warn',
        BOXROOM_DOCKER_INSTANCE: `bench-pool-${process.pid}`,
        BOXROOM_POOL: 'terminal=1',
        // its own X displays: the run's dashboard allocates from 100 and knows nothing of this one's
        // rooms, and the pool starts a room behind each take while the next sections create theirs
        // (a CI run's 720p room found its display taken by an X server with another cookie)
        BOXROOM_LOCAL_DISPLAY_BASE: '400',
      },
    });
    ctx.cleanup.add('stop the pool dashboard', () => dash.dispose({ killRooms: true }));
    ctx.cleanup.add('delete every room of the pool dashboard', () => dash.deleteAllRooms());
    const pooledRooms = new BenchRooms(dash);
    const pooled: number[] = [];
    const pooledStages: Array<Record<string, number>> = [];
    for (let i = 0; i < rooms; i++) {
      await poolWarm(dash);
      const s = await startToFirstFrame(ctx, pooledRooms, `bench pool ${i}`);
      if (s) {
        pooled.push(s['first frame presented']!);
        pooledStages.push(s);
      } else ctx.miss('cold_pool');
    }
    ctx.add(
      {
        key: `cold_start_pool_${driver}`,
        label: `cold start from the warm pool, POST /api/rooms -> first frame in Chromium (${driver})`,
        unit: 'ms',
        target: TARGETS.coldFromPool,
      },
      pooled,
      0,
    );
    ctx.details.coldStartPoolStages = stageSummaries(pooledStages);
  },
);
