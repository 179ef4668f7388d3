import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { BenchContext } from './bench-context.js';
import type { BenchRoom, BenchRooms } from './bench-rooms.js';
import type { Plan } from './bench-types.js';
import { FlvReaders, type ReaderReport } from './fanout.js';
import { latencies, sampleGlassToGlass } from './glass-to-glass.js';
import { CpuSampler, commOf, processTree } from './proc-stats.js';
import { RelayStages, type StageFigures } from './relay-stages.js';
import { RelayWatch, type RelaySeen } from './relay-watch.js';
import { ReplicaPair } from './replica-pair.js';
import { installProbe } from './page-probe.js';
import { withPlayerSettings } from './player-settings.js';
import { openRoomLink, waitPlaying } from './room-page.js';
import { summarize, type Summary } from './stats.js';

/** WS-FLV readers (over both replicas), glass-to-glass samples per phase and the least time per phase. */
export interface RelayPlan {
  readers: number;
  samples: number;
  minMs: number;
}
export const RELAY_PLANS: Plan<RelayPlan> = {
  full: { readers: 1000, samples: 60, minMs: 20_000 },
  quick: { readers: 1000, samples: 30, minMs: 10_000 },
  smoke: { readers: 10, samples: 3, minMs: 2000 },
};

/** Issue 19: glass-to-glass p95 with the readers, and one upstream per replica at the agent. */
export const RELAY_TARGETS = { g2gP95Ms: 100, maxUpstreams: 2 } as const;

/** Joins in flight at once while the readers' tokens are fetched. */
const JOIN_CONCURRENCY = 8;
/** Reader handshakes in flight at once per replica: an audience arrives over seconds, not at once. */
const READERS_CONNECTING = 50;
/**
 * The readers' processes end by themselves after this, whatever happens to the bench (they are
 * stopped when the loaded phase is over): room for a minute of handshakes, half a minute of waiting
 * for keyframes and a slow loaded phase on a busy machine, where 190 s ended them mid-phase.
 */
const READERS_MAX_MS = 600_000;

export interface ReplicaFigures {
  replica: 'A' | 'B';
  /** readers sent to this replica's WS /rooms/:id/stream */
  readers: number;
  /** at the end of the loaded phase: open, having seen a keyframe, with data in the last 3 s */
  open: number;
  keyframes: number;
  live: number;
  /** readers closed by the server, by code and reason */
  closed: Record<string, number>;
  /** mean % of a core over each phase: the room (and on A the measuring page) only, then with readers */
  cpuIdlePct: number;
  cpuLoadedPct: number;
  /** (loaded - idle) / readers it served video to: % of a core per viewer */
  cpuPerViewerPct: number | null;
}

export interface RelayResult {
  readers: number;
  replicas: ReplicaFigures[];
  /** both replicas: their extra CPU over their readers, and what one core carries at that rate */
  cpuPerViewerPct: number | null;
  viewersPerCore: number | null;
  /** the room agent during the loaded phase (GET /metrics, the most seen), and its CPU per phase */
  agent: RelaySeen & { cpuIdlePct: number; cpuLoadedPct: number };
  /** the readers' own processes, loaded phase */
  readersCpuPct: number;
  g2g: { baseline: Summary; loaded: Summary };
  /** where a video tag's time went between the agent and the replicas' viewers, per phase */
  stages: { baseline: StageFigures; loaded: StageFigures };
  /** every process the bench started (the room's, the replicas', the readers', Chromium), % of a core */
  cpuSplit: { baseline: Record<string, number>; loaded: Record<string, number> };
  met: { g2g: boolean; upstreams: boolean; video: boolean };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const round = (x: number, digits = 2) => Number(x.toFixed(digits));

/**
 * Relay fan-out (issue 19): one room, two dashboard replicas on PostgreSQL, the page measuring
 * glass-to-glass through A; first with no readers, then with `plan.readers` WS-FLV readers split
 * evenly over A and B (one reader process per replica). Everything is stopped before it returns.
 */
export async function runRelay(ctx: BenchContext, plan: RelayPlan): Promise<RelayResult> {
  ctx.log('relay: PostgreSQL, replica A, the room, replica B');
  const pair = await ReplicaPair.start(ctx, { name: 'bench relay', width: 1280, height: 720, fps: 30 });
  let closePage = async () => {};
  try {
    const { room } = pair.probed;
    const split = [Math.ceil(plan.readers / 2), Math.floor(plan.readers / 2)] as const;
    ctx.log(`relay: ${plan.readers} readers' tokens, ${split[0]} through A and ${split[1]} through B`);
    const urls = [
      await readerUrls(pair.roomsA, room, split[0], 0),
      await readerUrls(pair.roomsB, room, split[1], split[0]),
    ];
    // WS-FLV, as the readers read (the page's default HTTP-FLV goes through the relay as well)
    const p = await openRoomLink(
      withPlayerSettings(ctx.browser, { ...ctx.opts.player, transport: 'ws' }),
      room.links.participant,
    );
    closePage = () => p.ctx.close();
    await waitPlaying(p.page, 3, ctx.opts.mode === 'smoke' ? 1000 : 3000);
    await installProbe(p.page, 'room');
    const clockToken = async (n: string) => pair.roomsA.token(room.id, room.links.viewer, `stage clock ${n}`);
    const agentWs = pair.probed.rt.agentUrl.replace(/^http/, 'ws');
    const stages = new RelayStages(
      `${agentWs}/stream?token=${encodeURIComponent(await clockToken('agent'))}`,
      await pair.roomsA.streamWs(room, 'stage clock A first'),
    );
    ctx.cleanup.add('close the stage clocks', async () => stages.close());
    await stages.opened();
    ctx.log('relay: baseline, no readers');
    const idle = await phase(ctx, pair, p.page, [], plan);
    ctx.log(`relay: ${plan.readers} readers`);
    const t0 = Date.now();
    const readers = await Promise.all(
      urls.map((u) =>
        FlvReaders.start(u, READERS_MAX_MS, { openMs: 60_000, connecting: READERS_CONNECTING }),
      ),
    );
    for (const r of readers) ctx.cleanup.add('stop the readers', () => r.stop());
    await Promise.all(readers.map((r, i) => r.until((x) => x.keyframes >= urls[i]!.length, 30_000)));
    ctx.log(`relay: readers open ${readers.map((r) => r.last.open).join(' + ')} in ${Date.now() - t0} ms`);
    // the page's own stream rides the same replica: playing again if the arrival disturbed it
    await waitPlaying(p.page, 3, 2000);
    await stages.addLast(
      await pair.roomsA.streamWs(room, 'stage clock A last'),
      await pair.roomsB.streamWs(room, 'stage clock B last'),
    );
    const loaded = await phase(ctx, pair, p.page, readers, plan);
    const reports = readers.map((r) => r.last);
    await Promise.all(readers.map((r) => r.stop()));
    const figures = {
      baseline: stages.figures(idle.since, idle.until),
      loaded: stages.figures(loaded.since, loaded.until),
    };
    stages.close();
    const result = record(ctx, plan, split, reports, idle, loaded, figures);
    if (!result.met.video || !loaded.latencies.length) logTails(ctx, pair);
    return result;
  } finally {
    await closePage();
    await pair.close();
  }
}

/** What the replicas and the agent logged last: why readers or the page lost their stream. */
function logTails(ctx: BenchContext, pair: ReplicaPair): void {
  const tail = (text: string) => text.trim().split('\n').slice(-15).join('\n');
  ctx.log(`relay: replica A's log:\n${tail(pair.a.output())}`);
  ctx.log(`relay: replica B's log:\n${tail(pair.b.output())}`);
  if (ctx.opts.driver !== 'local') return;
  try {
    const runDir = pair.a.localRoom(pair.probed.room.id).runDir;
    ctx.log(`relay: the agent's log:\n${tail(readFileSync(join(runDir, 'agent.log'), 'utf8'))}`);
  } catch (err) {
    ctx.log(`relay: the agent's log: ${(err as Error).message}`);
  }
}

/** Room tokens for `n` readers, joined through `rooms`' replica, as WS /rooms/:id/stream URLs there. */
async function readerUrls(rooms: BenchRooms, room: BenchRoom, n: number, first: number): Promise<string[]> {
  const urls: string[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) urls[i] = await rooms.streamWs(room, `reader ${first + i}`);
  };
  await Promise.all(Array.from({ length: JOIN_CONCURRENCY }, worker));
  return urls;
}

interface Phase {
  latencies: number[];
  cpu: { a: CpuSampler; b: CpuSampler; agent: CpuSampler; readers: CpuSampler; all: CpuSampler };
  seen: RelaySeen;
  /** performance.now() at its start and end */
  since: number;
  until: number;
}

/** Glass-to-glass via A while /proc samples the replicas, the agent and the readers; a RelayWatch meanwhile. */
async function phase(
  ctx: BenchContext,
  pair: ReplicaPair,
  page: Page,
  readers: FlvReaders[],
  plan: RelayPlan,
): Promise<Phase> {
  const { room, rt, probe } = pair.probed;
  const [a, b] = pair.pids();
  const agentPids = await rt.agentPids();
  const since = performance.now();
  const cpu = {
    a: new CpuSampler(() => [a]),
    b: new CpuSampler(() => [b]),
    agent: new CpuSampler(() => rt.agentPids()),
    readers: new CpuSampler(() => readers.map((r) => r.pid)),
    all: new CpuSampler(() => processTree(process.pid), { nameOf: roles(pair, readers, agentPids) }),
  };
  await Promise.all(Object.values(cpu).map((s) => s.start()));
  const watch = new RelayWatch([pair.a, pair.b], room.id, rt.agentUrl, ctx.log, RelayStages.AGENT_STREAMS);
  const t0 = Date.now();
  const r = await sampleGlassToGlass(page, probe, room, plan.samples, {
    until: () => Date.now() - t0 >= plan.minMs,
  });
  const seen = await watch.stop();
  await Promise.all(Object.values(cpu).map((s) => s.stop()));
  ctx.misses[`relay_${readers.length ? plan.readers : 0}`] = r.misses;
  return { latencies: latencies(r.samples), cpu, seen, since, until: performance.now() };
}

/** A process's part in the run, for the CPU split: the replicas, the agent, the readers, else its name. */
function roles(pair: ReplicaPair, readers: FlvReaders[], agentPids: number[]): (pid: number) => string {
  const [a, b] = pair.pids();
  const named = new Map<number, string>([
    [a, 'replica A'],
    [b, 'replica B'],
    [process.pid, 'bench'],
  ]);
  for (const pid of agentPids) named.set(pid, 'agent');
  for (const r of readers) named.set(r.pid, 'readers');
  return (pid) => named.get(pid) ?? commOf(pid);
}

function record(
  ctx: BenchContext,
  plan: RelayPlan,
  split: readonly [number, number],
  reports: ReaderReport[],
  idle: Phase,
  loaded: Phase,
  stages: RelayResult['stages'],
): RelayResult {
  const n = plan.readers;
  const replicas = (['A', 'B'] as const).map((replica, i): ReplicaFigures => {
    const key = replica === 'A' ? 'a' : 'b';
    const cpuIdlePct = mean(idle.cpu[key].cpuPct);
    const cpuLoadedPct = mean(loaded.cpu[key].cpuPct);
    const r = reports[i]!;
    // the viewers it actually served: readers it left without video cost it (next to) nothing
    const served = Math.min(r.open, r.keyframes, r.live);
    return {
      replica,
      readers: split[i]!,
      open: r.open,
      keyframes: r.keyframes,
      live: r.live,
      closed: r.closeReasons,
      cpuIdlePct: round(cpuIdlePct, 1),
      cpuLoadedPct: round(cpuLoadedPct, 1),
      cpuPerViewerPct: served ? round((cpuLoadedPct - cpuIdlePct) / served, 4) : null,
    };
  });
  const extra = replicas.reduce((s, x) => s + x.cpuLoadedPct - x.cpuIdlePct, 0);
  const served = replicas.reduce((s, x) => s + Math.min(x.open, x.keyframes, x.live), 0);
  const perViewer = served ? extra / served : null;
  ctx.add(
    { key: 'relay_0_g2g', label: 'relay, no readers: Chromium glass-to-glass via replica A', unit: 'ms' },
    idle.latencies,
  );
  ctx.add(
    {
      key: `relay_${n}_g2g`,
      label: `relay, ${n} WS readers over 2 replicas: Chromium glass-to-glass via A`,
      unit: 'ms',
      target: { p95: RELAY_TARGETS.g2gP95Ms },
    },
    loaded.latencies,
  );
  for (const [key, what] of [
    ['a', 'replica A'],
    ['b', 'replica B'],
    ['agent', 'agent'],
  ] as const)
    ctx.add(
      {
        key: `relay_${n}_${key === 'agent' ? 'agent' : `replica_${key}`}_cpu`,
        label: `relay, ${n} WS readers: ${what} CPU`,
        unit: '% of a core',
      },
      loaded.cpu[key].cpuPct,
    );
  const g2g = { baseline: summarize(idle.latencies), loaded: summarize(loaded.latencies) };
  const everyReader = (r: ReaderReport, i: number) =>
    r.keyframes >= split[i]! && r.open >= split[i]! && r.live >= split[i]!;
  return {
    readers: n,
    replicas,
    cpuPerViewerPct: perViewer === null ? null : round(perViewer, 4),
    viewersPerCore: perViewer && perViewer > 0 ? Math.floor(100 / perViewer) : null,
    agent: {
      ...loaded.seen,
      cpuIdlePct: round(mean(idle.cpu.agent.cpuPct), 1),
      cpuLoadedPct: round(mean(loaded.cpu.agent.cpuPct), 1),
    },
    readersCpuPct: round(mean(loaded.cpu.readers.cpuPct), 1),
    g2g,
    stages,
    cpuSplit: { baseline: idle.cpu.all.split(), loaded: loaded.cpu.all.split() },
    met: {
      g2g: g2g.loaded.p95 !== null && g2g.loaded.p95 <= RELAY_TARGETS.g2gP95Ms,
      // no relay upstream reported (an agent without the field, or no relay): it serves every reader
      upstreams:
        (loaded.seen.relayUpstreams ?? 0) >= 1 &&
        loaded.seen.agentStreams !== null &&
        loaded.seen.agentStreams <= RELAY_TARGETS.maxUpstreams,
      video: reports.every(everyReader),
    },
  };
}
