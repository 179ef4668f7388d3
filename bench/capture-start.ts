// How fast the room's capture unit starts: boxroom-capture spawned on a still screen of its own Xvfb
// (as the agent spawns it, encoder-argv.ts), the time to the first H.264 frame tag on its stdout, and
// the CPU of the unit's processes over its first 2 s. The unit's start is on every room's
// path to its first frame (docs/decisions.md, "The picture is encoded where it is captured").
//
//   node bench/run.mjs bench/capture-start.ts [--runs=10] [--width=1280 --height=720 --fps=30]
//
// Needs the bundles and boxroom-capture: `node scripts/build.mjs`. Everything it starts is stopped
// by PID, also on failure.
import { type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { captureArgv, streamClockBase } from '../room-agent/src/desktop/encoder-argv.js';
import { FLV_TAG_VIDEO, FlvReader } from '../test/support/flv-reader.js';
import { freeDisplay, ProcessGroup, sleep, startXvfb, waitForExit } from '../test/support/processes.js';
import { cpuMs, processTree } from './lib/proc-stats.js';
import { percentile } from './lib/stats.js';

const arg = (name: string, def: string) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : def;
};
const RUNS = Number(arg('runs', '10'));
const WIDTH = Number(arg('width', '1280'));
const HEIGHT = Number(arg('height', '720'));
const FPS = Number(arg('fps', '30'));
const CPU_WINDOW_MS = 2000;
const BIN = 'room-agent/dist/boxroom-capture';
async function once(procs: ProcessGroup, display: number): Promise<{ firstFrameMs: number; cpuMs: number }> {
  const { command, args } = captureArgv({
    bin: BIN,
    display,
    width: WIDTH,
    height: HEIGHT,
    fps: FPS,
    clockBase: streamClockBase(),
  });
  const spawnedAt = performance.now();
  const unit: ChildProcess = procs.spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  const reader = new FlvReader();
  unit.stdout!.on('data', (c: Buffer) => reader.push(c));
  const firstFrame = new Promise<number>((resolve, reject) => {
    reader.on('tag', (t) => {
      if (t.type === FLV_TAG_VIDEO && t.avcPacketType === 1) resolve(t.receivedAt - spawnedAt);
    });
    unit.once('exit', (code) =>
      reject(new Error(`boxroom-capture exited (${code}): ${procs.stderr.get(unit)}`)),
    );
  });
  const firstFrameMs = await firstFrame;
  await sleep(Math.max(0, CPU_WINDOW_MS - (performance.now() - spawnedAt)));
  const cpu = cpuMs(processTree(unit.pid!));
  await procs.kill(unit);
  await waitForExit(unit).catch(() => {});
  return { firstFrameMs, cpuMs: cpu };
}

if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`node scripts/build.mjs\` first`);
const procs = new ProcessGroup();
try {
  const display = freeDisplay(450);
  await startXvfb(procs, display, WIDTH, HEIGHT);
  await sleep(500);
  const first: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await once(procs, display);
    first.push(r.firstFrameMs);
    cpu.push(r.cpuMs);
  }
  const fmt = (xs: number[]) =>
    `p50 ${percentile(xs, 50)!.toFixed(1)} p95 ${percentile(xs, 95)!.toFixed(1)} max ${Math.max(...xs).toFixed(1)}`;
  console.log(`capture unit ${WIDTH}x${HEIGHT}@${FPS}, ${RUNS} starts on a still screen:`);
  console.log(`  spawn -> first H.264 frame tag on its stdout (ms): ${fmt(first)}`);
  console.log(`  its CPU over its first ${CPU_WINDOW_MS / 1000} s (ms): ${fmt(cpu)}`);
} finally {
  await procs.killAll();
}
