// What one room's runtime costs in CPU, and how fast a change on its screen reaches a viewer, for each
// capture mode. Starts the real agent bundle (test/support/agent-process.ts) once per mode, lets it
// settle, then samples the CPU of the agent and every process under it (the supervised processes of
// /healthz and their children: ffmpeg under boxroom-capture, xterm's shell).
//
//   node bench/run.mjs bench/idle-cost.ts        both modes: still screen, CPU over 30 s
//   --modes=x11grab,damage  --idle-s=30  --warmup-s=5  --width=1280 --height=720 --fps=30
//   --busy=top|yes|none       also CPU while the terminal runs `top -d 0.1` (or `yes`), default none
//   --latency=N               also N change -> first FLV video tag samples (pointer move, key press)
//
// Latency: a change is made through one long-running `xdotool -` (no process start per sample); the
// time runs from writing the command to the arrival of the first video tag whose timestamp is at or
// after the change, in the stream read from the agent's /stream.flv. Tag timestamps are mapped to this
// clock by the smallest arrival - timestamp seen (the fastest frame), so "after the change" is exact
// to within that frame's encode-and-deliver time. Needs the bundles: `node scripts/build.mjs`.
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { startAgent, type RunningAgent } from '../test/support/agent-process.js';
import { isAvcFrame, readFlvStream, type FlvTag } from '../test/support/flv-reader.js';
import { sleep } from '../test/support/processes.js';
import { CpuSampler, commOf, processTree } from './lib/proc-stats.js';
import { percentile } from './lib/stats.js';

const arg = (name: string, def: string) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : def;
};
const MODES = arg('modes', 'x11grab,damage').split(',');
const IDLE_S = Number(arg('idle-s', '30'));
const WARMUP_S = Number(arg('warmup-s', '5'));
const BUSY = arg('busy', 'none');
const LATENCY_N = Number(arg('latency', '0'));
const SCREEN = { width: arg('width', '1280'), height: arg('height', '720'), fps: arg('fps', '30') };

type Kind = 'pointer' | 'key';
interface ModeResult {
  mode: string;
  /** % of one core by process name */
  still?: Record<string, number>;
  busy?: Record<string, number>;
  latency?: Record<Kind, number[]>;
}

/** % of one core per process name (the agent's names for what it supervises) over `seconds`. */
async function sampleCpu(agent: RunningAgent, names: Map<number, string>, seconds: number) {
  const sampler = new CpuSampler(() => processTree(agent.proc.pid!), {
    nameOf: (pid) => names.get(pid) ?? commOf(pid),
  });
  await sampler.start();
  await sleep(seconds * 1000);
  await sampler.stop();
  return sampler.split();
}

/** `xdotool -` reading commands from stdin, on the room's display. */
function xdotool(agent: RunningAgent) {
  const p = spawn('xdotool', ['-'], { env: agent.xEnv(), stdio: ['pipe', 'ignore', 'ignore'] });
  return {
    send: (line: string) => p.stdin.write(`${line}\n`),
    close: () => {
      p.stdin.end();
      p.kill();
    },
  };
}

async function measureLatency(agent: RunningAgent, n: number): Promise<Record<Kind, number[]>> {
  const tags: FlvTag[] = [];
  const token = await agent.token('bench', 'viewer', 'bench');
  const req = get(`${agent.url}/stream.flv?token=${token}`, (res) =>
    readFlvStream(res, { keepTags: false }).on('tag', (t) => {
      if (isAvcFrame(t)) tags.push(t);
    }),
  );
  req.on('error', () => {});
  const x = xdotool(agent);
  await sleep(2000);
  const out: Record<Kind, number[]> = { pointer: [], key: [] };
  const spots = [
    [200, 560],
    [900, 450],
  ];
  try {
    for (let i = 0; i < 2 * n; i++) {
      // a still spell of random length: the change lands anywhere in x11grab's frame clock, and
      // after a keepalive at any phase in damage mode
      await sleep(300 + Math.random() * 600);
      const kind: Kind = i % 2 ? 'key' : 'pointer';
      const before = tags.length;
      const t0 = performance.now();
      if (kind === 'pointer') x.send(`mousemove ${spots[(i >> 1) % 2]!.join(' ')}`);
      else x.send(`key ${(i >> 1) % 2 ? 'BackSpace' : 'x'}`);
      // the clock offset: the smallest arrival - timestamp so far
      const deadline = t0 + 2000;
      let hit: FlvTag | null = null;
      while (performance.now() < deadline && hit === null) {
        await sleep(2);
        const offset = Math.min(...tags.map((t) => t.receivedAt - t.timestamp));
        hit = tags.slice(before).find((t) => t.timestamp + offset >= t0) ?? null;
      }
      if (hit) out[kind].push(hit.receivedAt - t0);
    }
  } finally {
    x.close();
    req.destroy();
  }
  return out;
}

async function runMode(mode: string): Promise<ModeResult> {
  const agent = await startAgent({
    BOXROOM_DISPLAY: '140',
    BOXROOM_LOG_LEVEL: 'warn',
    BOXROOM_WIDTH: SCREEN.width,
    BOXROOM_HEIGHT: SCREEN.height,
    BOXROOM_FPS: SCREEN.fps,
    BOXROOM_CAPTURE: mode,
  });
  const result: ModeResult = { mode };
  try {
    const health = await agent.waitHealthy(30_000);
    const names = new Map([[agent.proc.pid!, 'agent (node)']]);
    for (const p of health.processes)
      if (p.pid) names.set(p.pid, p.name === 'ffmpeg' && mode === 'damage' ? 'boxroom-capture' : p.name);
    await sleep(WARMUP_S * 1000);
    result.still = await sampleCpu(agent, names, IDLE_S);
    if (LATENCY_N > 0) result.latency = await measureLatency(agent, LATENCY_N);
    if (agent.proc.exitCode !== null || agent.proc.signalCode !== null)
      throw new Error(
        `the agent exited (${agent.proc.exitCode ?? agent.proc.signalCode}) during the run:\n${agent.output().slice(-4000)}`,
      );
    if (BUSY !== 'none') {
      const x = xdotool(agent);
      x.send(`type --delay 1 '${BUSY === 'yes' ? 'yes' : 'top -d 0.1'}'`);
      x.send('key Return');
      await sleep(3000);
      result.busy = await sampleCpu(agent, names, IDLE_S);
      x.send('key ctrl+c');
      x.close();
    }
  } finally {
    await agent.stop();
  }
  return result;
}

function printCpu(label: string, results: ModeResult[], key: 'still' | 'busy') {
  const names = [...new Set(results.flatMap((r) => Object.keys(r[key] ?? {})))];
  const total = (r: ModeResult) => Object.values(r[key] ?? {}).reduce((a, b) => a + b, 0);
  console.log(`\n${label}: % of one core (${IDLE_S} s, ${SCREEN.width}x${SCREEN.height}@${SCREEN.fps})`);
  console.log(['process'.padEnd(18), ...results.map((r) => r.mode.padStart(9))].join(' '));
  for (const n of names.sort())
    console.log([n.padEnd(18), ...results.map((r) => (r[key]?.[n] ?? 0).toFixed(1).padStart(9))].join(' '));
  console.log(['TOTAL'.padEnd(18), ...results.map((r) => total(r).toFixed(1).padStart(9))].join(' '));
}

const results: ModeResult[] = [];
for (const mode of MODES) {
  console.error(`[idle-cost] ${mode}...`);
  results.push(await runMode(mode));
}
printCpu('still screen', results, 'still');
if (BUSY !== 'none') printCpu(`busy screen (${BUSY === 'yes' ? 'yes' : 'top -d 0.1'})`, results, 'busy');
if (LATENCY_N > 0) {
  console.log('\nchange -> first FLV video tag after it (ms)');
  for (const r of results)
    for (const kind of ['pointer', 'key'] as const) {
      const xs = r.latency![kind];
      const fmt = (x: number | null) => (x === null ? '-' : x.toFixed(1));
      console.log(
        `${r.mode.padEnd(8)} ${kind.padEnd(8)} n=${xs.length} p50=${fmt(percentile(xs, 50))} p95=${fmt(percentile(xs, 95))} min=${fmt(xs.length ? Math.min(...xs) : null)}`,
      );
    }
}
