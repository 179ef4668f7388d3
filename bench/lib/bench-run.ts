import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { launchChromium } from '../../test/support/browser.js';
import { DashboardProcess, REPO } from '../../test/support/dashboard-process.js';
import { SECTIONS } from '../sections/index.js';
import { BenchContext } from './bench-context.js';
import { BenchRooms } from './bench-rooms.js';
import type { BenchSection } from './bench-section.js';
import type { BenchOptions, BenchResult } from './bench-types.js';
import { Cleanup } from './cleanup.js';
import { withPlayerSettings } from './player-settings.js';
import { SharedRoom } from './shared-room.js';

export type { BenchMode, BenchOptions, BenchResult, Driver, Metric } from './bench-types.js';
export { Cleanup } from './cleanup.js';

/** The sections `opts` asks for, in the order they run. */
function chosenSections(opts: Pick<BenchOptions, 'only'>): BenchSection[] {
  return SECTIONS.filter((s) => (opts.only ? opts.only.includes(s.name) : !s.onRequest));
}

/**
 * Builds the bundles (unless `prebuilt`), starts the dashboard and Chromium, and runs the chosen sections one after the
 * other (a failed one is reported in `errors`, the rest still run); everything started is undone at
 * the end, whatever failed.
 */
export async function runBench(opts: BenchOptions, cleanup = new Cleanup()): Promise<BenchResult> {
  const log = opts.log ?? (() => {});
  const started = Date.now();
  try {
    if (!opts.prebuilt) {
      log('building the bundles and the web UI');
      execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, stdio: 'ignore' });
    }
    const dash = await DashboardProcess.start({
      driver: opts.driver,
      env: { BOXROOM_LOG_LEVEL: 'warn', BOXROOM_DOCKER_INSTANCE: `bench-${process.pid}` },
    });
    cleanup.add('stop the dashboard', () => dash.dispose({ killRooms: true }));
    cleanup.add('delete every room', () => dash.deleteAllRooms());
    const chromium = await launchChromium();
    cleanup.add('close Chromium', () => chromium.close());
    const browser = withPlayerSettings(chromium, opts.player);
    log(`dashboard ${dash.url} (driver ${opts.driver}), Chromium ${chromium.version()}`);

    const ctx = new BenchContext(opts, dash, browser, new BenchRooms(dash), cleanup);
    let shared: SharedRoom | null = null;
    for (const s of chosenSections(opts)) {
      if (s.sharedRoom) {
        // a room that cannot be made ends the run: the sections after need it too
        shared ??= await SharedRoom.open(ctx);
      } else if (shared) {
        await shared.close();
        shared = null;
      }
      const room = shared;
      await ctx.section(s.name, () => s.run(ctx, room));
    }
    await shared?.close();
    return result(opts, ctx, started);
  } finally {
    await cleanup.run();
  }
}

function result(opts: BenchOptions, ctx: BenchContext, started: number): BenchResult {
  const ours = ctx.metrics.find((m) => m.key === 'g2g_720p30')?.p50;
  const theirs = ctx.metrics.find((m) => m.key === 'hls_g2g')?.p50;
  return {
    at: new Date(started).toISOString(),
    commit: gitCommit(),
    command: process.argv.slice(1).join(' '),
    driver: opts.driver,
    mode: opts.mode,
    capture: process.env.BOXROOM_CAPTURE ?? 'agent default',
    ...(opts.player ? { player: opts.player } : {}),
    ...(opts.only ? { only: opts.only } : {}),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '?', loadavg: loadavg() },
    metrics: ctx.metrics,
    hlsRatio: ours && theirs ? Number((ours / theirs).toFixed(3)) : null,
    breakdown: ctx.breakdown,
    details: ctx.details,
    misses: ctx.misses,
    errors: ctx.errors,
    ...(ctx.chaos ? { chaos: ctx.chaos } : {}),
    ...(ctx.relay ? { relay: ctx.relay } : {}),
    durationS: Math.round((Date.now() - started) / 1000),
  };
}

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: REPO }).toString().trim();
    return dirty ? `${head}+changes` : head;
  } catch {
    return 'unknown';
  }
}
