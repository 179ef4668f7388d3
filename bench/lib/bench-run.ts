import { execFileSync } from 'node:child_process';
import type { Browser } from 'playwright-core';
import { cpus, loadavg } from 'node:os';
import { launchChromium } from '../../test/support/browser.js';
import { DashboardProcess, REPO, buildWeb } from '../../test/support/dashboard-process.js';
import { sleep } from '../../test/support/processes.js';
import { FlvReaders } from './fanout.js';
import { FlvTap } from './flv-tap.js';
import { breakdown, latencies, probeRect, probeRegion, sampleGlassToGlass } from './glass-to-glass.js';
import { HlsBaseline } from './hls-baseline.js';
import { measureJoin, type JoinSample } from './join-probe.js';
import { arm, installProbe, recordFirstFrame, waitFirstFrame, waitHit } from './page-probe.js';
import { runChaos, type ChaosResult } from './chaos.js';
import { CpuSampler } from './proc-stats.js';
import { roomRuntime } from './room-runtime.js';
import { openRoomLink, takeControl, waitPlaying, type RoomPage } from './room-page.js';
import { ScreenProbe } from './screen-probe.js';
import { summarize, type Summary } from './stats.js';

export type BenchMode = 'full' | 'quick' | 'smoke';
export type Driver = 'local' | 'docker';

/** The parts of a run, in the order they run; `--only` picks some (the 720p room is shared). */
export const SECTIONS = [
  'cold',
  'join',
  'g2g720',
  'input',
  'fanout',
  'hls',
  'idle',
  'g2g1080',
  'chaos',
] as const;
/** Sections that run only when named in `--only` (chaos kills rooms and the dashboard on purpose). */
const ON_REQUEST: readonly Section[] = ['chaos'];
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  driver: Driver;
  mode: BenchMode;
  /** run only these sections (default: all) */
  only?: readonly Section[];
  /** player settings stored in the pages' localStorage before they load (A/B of the player) */
  player?: Record<string, unknown>;
  /** the chaos section's PRNG seed (`--seed`) */
  seed?: number;
  log?: (line: string) => void;
}

/** Samples and windows per mode. quick stays under three minutes on 2 cores; smoke only proves it runs. */
export const PLANS = {
  full: {
    g2g720: 150,
    g2g1080: 100,
    input: 100,
    join: 20,
    cold: 5,
    fanout: [10, 50, 100],
    fanoutSamples: 40,
    idleS: 60,
    hls: 30,
  },
  quick: {
    g2g720: 40,
    g2g1080: 15,
    input: 25,
    join: 5,
    cold: 2,
    fanout: [10, 50],
    fanoutSamples: 12,
    idleS: 15,
    hls: 5,
  },
  smoke: {
    g2g720: 4,
    g2g1080: 3,
    input: 3,
    join: 2,
    cold: 1,
    fanout: [3],
    fanoutSamples: 3,
    idleS: 3,
    hls: 2,
  },
} as const;

export interface Metric extends Summary {
  key: string;
  label: string;
  unit: 'ms' | '% of a core' | 'MiB';
  /** the project's target, where there is one (docs/decisions.md, "Performance targets") */
  target?: { p50?: number; p95?: number };
  met?: boolean | null;
}

export interface BenchResult {
  at: string;
  commit: string;
  command: string;
  driver: Driver;
  mode: BenchMode;
  /** BOXROOM_CAPTURE as passed to the rooms (the agent's capture path) */
  capture: string;
  /** player settings the pages ran with, when not the defaults (--player) */
  player?: Record<string, unknown>;
  /** sections run, when not all (--only) */
  only?: readonly Section[];
  machine: { cpus: number; model: string; loadavg: number[] };
  metrics: Metric[];
  /** our 720p30 glass-to-glass p50 / HLS's */
  hlsRatio: number | null;
  /** where the glass-to-glass time goes, per configuration */
  breakdown: Record<string, Record<string, Summary>>;
  /** other stage timings (join, cold start) and per-process CPU */
  details: Record<string, unknown>;
  misses: Record<string, number>;
  /** sections that failed (the others still report) */
  errors: Record<string, string>;
  /** the chaos section's figures (`--only chaos`) */
  chaos?: ChaosResult;
  durationS: number;
}

/** Things to undo, last first, whatever failed (processes, browser contexts, rooms, the dashboard). */
export class Cleanup {
  private readonly steps: Array<{ what: string; step: () => Promise<unknown> }> = [];
  constructor(private readonly log: (line: string) => void = () => {}) {}
  add(what: string, step: () => Promise<unknown>): void {
    this.steps.push({ what, step });
  }
  async run(): Promise<void> {
    while (this.steps.length) {
      const { what, step } = this.steps.pop()!;
      if (process.env.BOXROOM_BENCH_DEBUG) this.log(`cleanup: ${what}`);
      try {
        await step();
      } catch (err) {
        this.log(`cleanup: ${what} failed: ${(err as Error).message}`);
      }
    }
  }
}

interface Room {
  id: string;
  width: number;
  height: number;
  links: { participant: string; viewer: string };
}

const inviteOf = (link: string) => new URL(link).hash.slice('#invite='.length);

export async function runBench(opts: BenchOptions, cleanup = new Cleanup()): Promise<BenchResult> {
  const log = opts.log ?? (() => {});
  const plan = PLANS[opts.mode];
  const wants = (s: Section) => (opts.only ? opts.only.includes(s) : !ON_REQUEST.includes(s));
  const needsRoom = SECTIONS.some((s) => !['cold', 'g2g1080', 'chaos'].includes(s) && wants(s));
  const started = Date.now();
  const metrics: Metric[] = [];
  const details: Record<string, unknown> = {};
  const misses: Record<string, number> = {};
  const breakdowns: BenchResult['breakdown'] = {};
  const errors: Record<string, string> = {};
  /** A part of the run whose failure is reported in the result instead of ending the run. */
  const section = async (name: string, body: () => Promise<void>) => {
    try {
      await body();
    } catch (err) {
      errors[name] = (err as Error).message.slice(0, 2000);
      log(`${name} failed: ${errors[name]}`);
    }
  };
  const add = (m: Omit<Metric, keyof Summary | 'met'>, xs: number[], digits = 1) => {
    const s = summarize(xs, digits);
    const met =
      m.target && s.n
        ? (m.target.p50 === undefined || s.p50! <= m.target.p50) &&
          (m.target.p95 === undefined || s.p95! <= m.target.p95)
        : undefined;
    metrics.push({ ...m, ...s, ...(met === undefined ? {} : { met }) });
    log(`  ${m.label}: n=${s.n} p50=${s.p50} p95=${s.p95} max=${s.max} ${m.unit}`);
  };

  try {
    log('building the bundles and the web UI');
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, stdio: 'ignore' });
    buildWeb();
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

    const createRoom = async (spec: Record<string, unknown>) => {
      const r = await dash.api<Room>('POST', '/api/rooms', spec);
      if (r.status !== 201) throw new Error(`create room: ${r.status} ${JSON.stringify(r.body)}`);
      return { ...r.body, width: Number(spec.width ?? 1280), height: Number(spec.height ?? 720) };
    };
    const waitReady = async (id: string, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { body } = await dash.api<{ status: string }>('GET', `/api/rooms/${id}`);
        if (body.status === 'ready') return Date.now();
        if (body.status === 'failed' || Date.now() > deadline)
          throw new Error(`room ${id} ${body.status}: ${dash.output().slice(-2000)}`);
        await sleep(20);
      }
    };
    const deleteRoom = async (id: string) => {
      const r = await dash.api('DELETE', `/api/rooms/${id}`);
      if (r.status !== 204 && r.status !== 404)
        throw new Error(`DELETE room ${id}: ${r.status} ${JSON.stringify(r.body)}`);
    };
    const viewerToken = async (room: Room, name: string) => {
      const r = await dash.api<{ token: string }>('POST', `/api/rooms/${room.id}/join`, {
        invite: inviteOf(room.links.viewer),
        name,
      });
      if (r.status !== 200) throw new Error(`join: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.token;
    };
    const streamWs = async (room: Room, name: string) =>
      `${dash.url.replace('http', 'ws')}/rooms/${room.id}/stream?token=${encodeURIComponent(await viewerToken(room, name))}`;
    const openPage = async (link: string) => {
      const p = await openRoomLink(browser, link);
      cleanup.add('close a page', () => p.ctx.close());
      return p;
    };

    // --- cold start: POST /api/rooms -> the first frame presented on the room page
    if (wants('cold')) await coldStart();
    async function coldStart() {
      log(`cold start (${opts.driver}), ${plan.cold} rooms`);
      const cold: number[] = [];
      const coldStages: Array<Record<string, number>> = [];
      for (let i = 0; i < plan.cold; i++) {
        const t0 = Date.now();
        const room = await createRoom({ name: `bench cold ${i}` });
        const created = Date.now();
        const ready = waitReady(room.id);
        const p = await openPage(room.links.participant);
        const first = await waitFirstFrame(p.page, 60_000);
        const readyAt = await ready;
        if (first) {
          cold.push(first.displayedAt - t0);
          coldStages.push({
            'POST answered': created - t0,
            'API says ready': readyAt - t0,
            'stream response headers':
              (first.fetches.find((f) => f.url.includes('/stream'))?.headers ?? NaN) - t0,
            'first frame presented': first.displayedAt - t0,
          });
        } else misses.cold = (misses.cold ?? 0) + 1;
        await p.ctx.close();
        await deleteRoom(room.id);
      }
      add(
        {
          key: `cold_start_${opts.driver}`,
          label: `cold start, POST /api/rooms -> first frame in Chromium (${opts.driver})`,
          unit: 'ms',
          target: opts.driver === 'docker' ? { p50: 2000 } : undefined,
        },
        cold,
        0,
      );
      details.coldStartStages = stageSummaries(coldStages);
    }

    // --- the 720p30 room the rest runs on
    if (needsRoom) await onTheRoom();
    async function onTheRoom() {
      const room = await createRoom({ name: 'bench 720p30', width: 1280, height: 720, fps: 30 });
      cleanup.add('delete the 720p room', () => deleteRoom(room.id));
      await waitReady(room.id);
      const rt = await roomRuntime(dash, opts.driver, room.id);
      const probe = ScreenProbe.start(rt.screen);
      cleanup.add('stop the X probe', () => probe.close());
      const rect = probeRect(room.width, room.height);
      await probe.show(rect.x, rect.y, rect.w, rect.h, 0x00ff00);

      // --- join: the room page opened (a returning participant: remembered name, no form) -> the first
      // frame presented; a first visit (through the name form) alternates with it, reported apart
      if (wants('join')) {
        log(`join, ${plan.join} page loads each, returning participant and first visit`);
        const runs = { returning: [] as JoinSample[], firstVisit: [] as JoinSample[] };
        for (let i = 0; i < plan.join; i++) {
          for (const returning of [true, false]) {
            const r = await measureJoin(browser, room.links.participant, {
              returning,
              name: `joiner ${i}`,
              roomId: room.id,
            });
            const key = returning ? 'join' : 'join_first_visit';
            if (r) runs[returning ? 'returning' : 'firstVisit'].push(r);
            else misses[key] = (misses[key] ?? 0) + 1;
          }
        }
        add(
          {
            key: 'join',
            label: 'join, room page opened (remembered name) -> first frame presented',
            unit: 'ms',
            target: { p50: 300 },
          },
          runs.returning.map((r) => r.total),
          0,
        );
        add(
          {
            key: 'join_first_visit',
            label: 'join, first visit: room page opened -> name form -> first frame presented',
            unit: 'ms',
          },
          runs.firstVisit.map((r) => r.total),
          0,
        );
        details.joinStages = stageSummaries(runs.returning.map((r) => r.stages));
        details.joinFirstVisitStages = stageSummaries(runs.firstVisit.map((r) => r.stages));
      }

      // --- glass-to-glass at 720p30, with a Node reader tapping the same frames
      const main =
        wants('g2g720') || wants('input') || wants('fanout') ? await openPage(room.links.participant) : null;
      if (main) {
        await waitPlaying(main.page, 3, opts.mode === 'smoke' ? 1000 : 3000);
        await installProbe(main.page, 'room');
      }
      if (main && wants('g2g720')) await glassToGlass('720p30', main, room, plan.g2g720, probe);

      // --- input-to-photon: keys from the page through the overlay toggle the terminal's reverse video
      if (main && wants('input')) {
        log(`input-to-photon, ${plan.input} keys`);
        await takeControl(main.page);
        await main.page.keyboard.type(
          "clear; stty -echo; while IFS= read -rsn1 k; do case $k in w) printf '\\033[?5h';; b) printf '\\033[?5l';; esac; done",
          { delay: 5 },
        );
        await main.page.keyboard.press('Enter');
        await sleep(1000);
        const inputLat: number[] = [];
        const mid = { x: room.width / 2 - 100, y: room.height / 2 - 60, w: 200, h: 120 };
        for (let i = 0; i < plan.input; i++) {
          const white = i % 2 === 0;
          await arm(main.page, { ...mid, rgb: white ? [255, 255, 255] : [0, 0, 0] });
          await main.page.keyboard.press(white ? 'w' : 'b');
          const hit = await waitHit(main.page, 3000);
          if (hit?.keyAt) inputLat.push(hit.displayedAt - hit.keyAt);
          else misses.input = (misses.input ?? 0) + 1;
          await sleep(150 + Math.random() * 250);
        }
        await main.page.keyboard.press('Control+C');
        await main.page.keyboard.type("stty sane; printf '\\033[?5l'; clear", { delay: 5 });
        await main.page.keyboard.press('Enter');
        await main.page.locator('br-control-panel button[data-action=release]').click();
        add(
          {
            key: 'input_to_photon',
            label: 'input-to-photon, keydown in the page -> frame showing it (720p30)',
            unit: 'ms',
            target: { p50: 70, p95: 110 },
          },
          inputLat,
        );
        await sleep(1000);
      }

      // --- fan-out: N plain WS readers through the dashboard while Chromium measures glass-to-glass
      const fanout: Record<string, unknown> = {};
      for (const n of main && wants('fanout') ? [0, ...plan.fanout] : []) {
        log(`fan-out, ${n} WS readers`);
        const urls: string[] = [];
        for (let i = 0; i < n; i++) urls.push(await streamWs(room, `reader ${i}`));
        const readers = n ? await FlvReaders.start(urls, 300_000) : null;
        if (readers) cleanup.add('stop the readers', () => readers.stop());
        await sleep(1000);
        const agentCpu = new CpuSampler(() => rt.agentPids());
        const dashCpu = new CpuSampler(() => (dash.pid ? [dash.pid] : []));
        const readersCpu = new CpuSampler(() => (readers ? [readers.pid] : []));
        await Promise.all([agentCpu.start(), dashCpu.start(), readersCpu.start()]);
        const t0 = Date.now();
        const minMs = opts.mode === 'smoke' ? 2000 : opts.mode === 'quick' ? 6000 : 15_000;
        const r = await sampleGlassToGlass(main!.page, probe, room, plan.fanoutSamples, {
          until: () => Date.now() - t0 >= minMs,
        });
        await Promise.all([agentCpu.stop(), dashCpu.stop(), readersCpu.stop()]);
        const report = readers?.last ?? null;
        await readers?.stop();
        misses[`fanout_${n}`] = r.misses;
        if (n === 0) {
          fanout.baseline = { agentCpu: summarize(agentCpu.cpuPct), dashboardCpu: summarize(dashCpu.cpuPct) };
          continue;
        }
        const viewers = `${n} WS readers`;
        add(
          {
            key: `fanout_${n}_g2g`,
            label: `fan-out ${viewers}: Chromium glass-to-glass`,
            unit: 'ms',
            target: n === 100 ? { p95: 100 } : undefined,
          },
          latencies(r.samples),
        );
        add(
          { key: `fanout_${n}_agent_cpu`, label: `fan-out ${viewers}: agent CPU`, unit: '% of a core' },
          agentCpu.cpuPct,
        );
        add(
          {
            key: `fanout_${n}_dashboard_cpu`,
            label: `fan-out ${viewers}: dashboard CPU`,
            unit: '% of a core',
          },
          dashCpu.cpuPct,
        );
        fanout[n] = {
          readersCpu: summarize(readersCpu.cpuPct),
          readers: report && { open: report.open, dropped: report.closed, closeCodes: report.closeCodes },
        };
        await sleep(1000);
      }
      if (main && wants('fanout')) details.fanout = fanout;

      // --- the HLS baseline, same room, same probe
      if (wants('hls')) {
        log(`HLS baseline (hls.js defaults, 1 s segments), ${plan.hls} samples`);
        const hls = await HlsBaseline.start(
          `${dash.url}/rooms/${room.id}/stream.flv?token=${encodeURIComponent(await viewerToken(room, 'hls'))}`,
        );
        cleanup.add('stop the HLS baseline', () => hls.stop());
        const hctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
        cleanup.add('close the HLS page', () => hctx.close());
        const hpage = await hctx.newPage();
        await recordFirstFrame(hpage);
        await hpage.goto(hls.url);
        if (!(await waitFirstFrame(hpage, 30_000))) throw new Error('the HLS page presented no frame');
        await sleep(2000);
        await installProbe(hpage, 'plain');
        const hlsRun = await sampleGlassToGlass(hpage, probe, room, plan.hls, { timeoutMs: 12_000 });
        misses.hls = hlsRun.misses;
        add(
          {
            key: 'hls_g2g',
            label: 'baseline: HLS 1 s segments, hls.js defaults, glass-to-glass',
            unit: 'ms',
          },
          latencies(hlsRun.samples),
        );
        await hctx.close();
        await hls.stop();
      }

      // --- idle cost: the whole room runtime on a still screen, nobody watching
      await main?.ctx.close();
      if (wants('idle')) {
        await sleep(opts.mode === 'smoke' ? 500 : 3000);
        log(`idle room, ${plan.idleS} s`);
        const idle = new CpuSampler(() => rt.allPids(), { memory: true });
        await idle.start();
        await sleep(plan.idleS * 1000);
        await idle.stop();
        add(
          {
            key: 'idle_cpu',
            label: 'idle room runtime CPU (all its processes)',
            unit: '% of a core',
            target: { p50: 5 },
          },
          idle.cpuPct,
        );
        add({ key: 'idle_rss', label: 'idle room runtime memory, RSS sum', unit: 'MiB' }, idle.rssMiB, 0);
        add(
          { key: 'idle_pss', label: 'idle room runtime memory, PSS sum (shared pages split)', unit: 'MiB' },
          idle.pssMiB,
          0,
        );
        details.idleCpuByProcess = idle.split();
      }
      await probe.close();
      await deleteRoom(room.id);
    }

    // --- glass-to-glass at 1080p30 on a room of its own
    if (wants('g2g1080'))
      await section('g2g_1080p30', async () => {
        const big = await createRoom({ name: 'bench 1080p30', width: 1920, height: 1080, fps: 30 });
        cleanup.add('delete the 1080p room', () => deleteRoom(big.id));
        await waitReady(big.id);
        const brt = await roomRuntime(dash, opts.driver, big.id);
        const bprobe = ScreenProbe.start(brt.screen);
        cleanup.add('stop the X probe', () => bprobe.close());
        const brect = probeRect(big.width, big.height);
        await bprobe.show(brect.x, brect.y, brect.w, brect.h, 0x00ff00);
        const bpage = await openPage(big.links.participant);
        await waitPlaying(bpage.page, 3, opts.mode === 'smoke' ? 1000 : 3000);
        await installProbe(bpage.page, 'room');
        await glassToGlass('1080p30', bpage, big, plan.g2g1080, bprobe);
        await bpage.ctx.close();
        await bprobe.close();
        await deleteRoom(big.id);
      });

    // --- chaos: seeded kills of room processes, agents and the dashboard under viewers and a controller
    let chaos: ChaosResult | undefined;
    if (wants('chaos'))
      await section('chaos', async () => {
        chaos = await runChaos({
          dash,
          driver: opts.driver,
          mode: opts.mode,
          seed: opts.seed ?? 1,
          log,
          cleanup: (what, step) => cleanup.add(what, step),
          rooms: {
            create: (name) => createRoom({ name, width: 1280, height: 720, fps: 30 }),
            waitReady: (id) => waitReady(id),
            delete: deleteRoom,
          },
        });
      });

    const ours = metrics.find((m) => m.key === 'g2g_720p30')?.p50;
    const theirs = metrics.find((m) => m.key === 'hls_g2g')?.p50;
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
      metrics,
      hlsRatio: ours && theirs ? Number((ours / theirs).toFixed(3)) : null,
      breakdown: breakdowns,
      details,
      misses,
      errors,
      ...(chaos ? { chaos } : {}),
      durationS: Math.round((Date.now() - started) / 1000),
    };

    async function glassToGlass(
      label: string,
      p: RoomPage,
      r: Room,
      n: number,
      screen: ScreenProbe,
    ): Promise<number[]> {
      log(`glass-to-glass ${label}, ${n} samples`);
      const tap = new FlvTap(await streamWs(r, 'tap'), probeRegion(r.width, r.height));
      cleanup.add('stop the tap', async () => tap.close());
      await sleep(1500);
      const res = await sampleGlassToGlass(p.page, screen, r, n, { tap });
      tap.close();
      misses[`g2g_${label}`] = res.misses;
      const xs = latencies(res.samples);
      add(
        {
          key: `g2g_${label}`,
          label: `glass-to-glass ${r.width}x${r.height}@30, screen change -> presented in Chromium`,
          unit: 'ms',
          target: label === '720p30' ? { p50: 50, p95: 80 } : undefined,
        },
        xs,
      );
      breakdowns[label] = breakdown(res.samples, tap.minOffset);
      // every sample, relative to its screen change (ms): where a tail comes from
      const all = (details.g2gSamples ??= {}) as Record<string, unknown>;
      all[label] = res.samples.map((x) => ({
        atReader: x.tapArrivedAt === null ? null : x.tapArrivedAt - x.changedAt,
        displayed: x.displayedAt - x.changedAt,
        bufferMs: Math.round(x.bufferMs),
      }));
      return xs;
    }
  } finally {
    await cleanup.run();
  }
}

/**
 * The browser with `settings` put in each new context's localStorage (the room page's player settings,
 * `boxroom.player`) before any page script runs: A/B runs of the player without rebuilding it.
 */
function withPlayerSettings(browser: Browser, settings: Record<string, unknown> | undefined): Browser {
  if (!settings) return browser;
  const json = JSON.stringify(settings);
  const newContext: Browser['newContext'] = async (options) => {
    const ctx = await browser.newContext(options);
    await ctx.addInitScript((v) => localStorage.setItem('boxroom.player', v), json);
    return ctx;
  };
  return new Proxy(browser, {
    get: (target, key) => (key === 'newContext' ? newContext : Reflect.get(target, key, target)),
  });
}

function stageSummaries(rows: Array<Record<string, number>>): Record<string, Summary> {
  const out: Record<string, Summary> = {};
  for (const k of Object.keys(rows[0] ?? {}))
    out[k] = summarize(
      rows.map((r) => r[k]!).filter((x) => Number.isFinite(x)),
      0,
    );
  return out;
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
