#!/usr/bin/env node
// How long a dashboard takes from `node` to answering /healthz: what every viewer waits for after the
// dashboard was restarted (a crash, an upgrade). Builds dashboard/src/server.ts twice, as one file
// (what `npm start` runs) and with its npm dependencies left in node_modules (what it ran before),
// and starts each in turn, alternating, on a fresh data dir with the local driver and no rooms.
//
//   node bench/dashboard-start.mjs [--n=15]
//
// Prints median and p95 per variant (ms), plus the CPU time of the process until /healthz answered.
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeBundleOptions } from '../scripts/node-bundle.mjs';
import { freePort } from './lib/free-port.mjs';

const REPO = new URL('../', import.meta.url).pathname;
const N = Number(process.argv.find((a) => a.startsWith('--n='))?.slice(4) ?? 15);
// inside node_modules: the external variant resolves its dependencies from here
const OUT = join(REPO, 'node_modules/.cache/boxroom-bench/dashboard-start');

async function bundle(name, oneFile) {
  const outfile = join(OUT, name, 'server.mjs');
  await build({
    entryPoints: [join(REPO, 'dashboard/src/server.ts')],
    outfile,
    ...nodeBundleOptions({ oneFile }),
    logLevel: 'error',
  });
  return outfile;
}

/** CPU milliseconds (user + system) of a live process, from /proc/<pid>/stat. */
function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

async function startOnce(entry) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'boxroom-start-bench-'));
  const t0 = performance.now();
  const child = spawn(process.execPath, [entry], {
    cwd: REPO,
    env: {
      ...process.env,
      BOXROOM_PORT: String(port),
      BOXROOM_HOST: '127.0.0.1',
      BOXROOM_DATA_DIR: dataDir,
      BOXROOM_ADMIN_TOKEN: `bench-${process.pid}-${port}`,
      BOXROOM_DRIVER: 'local',
      BOXROOM_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  for (const s of [child.stdout, child.stderr]) s.on('data', (b) => (err = (err + b).slice(-2000)));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`dashboard exited: ${err}`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
      } catch {
        // not listening yet
      }
      if (performance.now() - t0 > 30_000) throw new Error('no /healthz in 30 s');
      await new Promise((r) => setTimeout(r, 5));
    }
    return { ms: performance.now() - t0, cpu: cpuMs(child.pid) };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

const variants = {
  'one file': await bundle('one-file', true),
  node_modules: await bundle('external', false),
};
const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, { ms: [], cpu: [] }]));
await startOnce(variants['one file']); // warm the page cache for both
await startOnce(variants['node_modules']);
for (let i = 0; i < N; i++) {
  // alternate the order so neither variant always runs right after the other
  const order = i % 2 ? Object.keys(variants) : Object.keys(variants).reverse();
  for (const k of order) {
    const r = await startOnce(variants[k]);
    samples[k].ms.push(r.ms);
    samples[k].cpu.push(r.cpu);
  }
}
console.log(`dashboard start -> /healthz, ${N} starts each, load average ${loadavg()[0].toFixed(1)}`);
for (const [k, s] of Object.entries(samples))
  console.log(
    `${k.padEnd(13)} p50 ${pct(s.ms, 50).toFixed(0).padStart(5)} ms  p95 ${pct(s.ms, 95).toFixed(0).padStart(5)} ms  ` +
      `CPU p50 ${pct(s.cpu, 50).toFixed(0).padStart(5)} ms`,
  );
rmSync(OUT, { recursive: true, force: true });
