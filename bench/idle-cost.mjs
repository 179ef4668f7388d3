#!/usr/bin/env node
// What one room's runtime costs in CPU, and how fast a change on its screen reaches a viewer, for each
// capture mode. Starts the real agent bundle (as test/support/agent-process.ts does) once per mode,
// lets it settle, then samples /proc/<pid>/stat of the agent and every process under it (the
// supervised processes of /healthz and their children: ffmpeg under boxroom-capture, xterm's shell).
//
//   node bench/idle-cost.mjs                  both modes: still screen, CPU over 30 s
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
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, importPKCS8 } from 'jose';
import { freePort } from './lib/free-port.mjs';

const REPO = new URL('../', import.meta.url).pathname;
const AGENT_BUNDLE = join(REPO, 'room-agent/dist/room-agent.mjs');
const arg = (name, def) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : def;
};
const MODES = arg('modes', 'x11grab,damage').split(',');
const IDLE_S = Number(arg('idle-s', 30));
const WARMUP_S = Number(arg('warmup-s', 5));
const BUSY = arg('busy', 'none');
const LATENCY_N = Number(arg('latency', 0));
const SCREEN = { width: arg('width', '1280'), height: arg('height', '720'), fps: arg('fps', '30') };
const CLK_TCK = 100; // USER_HZ on Linux

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};

function freeDisplay(from) {
  for (let n = from; n < from + 200; n++)
    if (!existsSync(`/tmp/.X${n}-lock`) && !existsSync(`/tmp/.X11-unix/X${n}`)) return n;
  throw new Error('no free X display');
}

/** pid -> { ppid, comm, ticks } for every process on the machine. */
function processTable() {
  const table = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat.slice(close + 2).split(' ');
      // fields after comm: state(0) ppid(1) ... utime(11) stime(12)
      table.set(Number(entry), { ppid: Number(f[1]), comm, ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // exited while we looked
    }
  }
  return table;
}

/** The agent and everything under it (supervised processes are group leaders but still its children). */
function tree(root, table) {
  const pids = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, p] of table)
      if (!pids.has(pid) && pids.has(p.ppid)) {
        pids.add(pid);
        grew = true;
      }
  }
  return pids;
}

/** % of one core per process name over `seconds`, for processes alive at both ends. */
async function sampleCpu(rootPid, names, seconds) {
  const t0 = performance.now();
  const a = processTable();
  await sleep(seconds * 1000);
  const b = processTable();
  const wall = (performance.now() - t0) / 1000;
  const rows = new Map();
  for (const pid of tree(rootPid, b)) {
    const before = a.get(pid);
    const after = b.get(pid);
    if (!before || !after) continue;
    const name = names.get(pid) ?? after.comm;
    const share = ((after.ticks - before.ticks) / CLK_TCK / wall) * 100;
    rows.set(name, (rows.get(name) ?? 0) + share);
  }
  return rows;
}

/** Minimal FLV reader: calls onTag({ type, timestamp, keyframe, receivedAt }) for each whole tag. */
function readFlv(res, onTag) {
  let buf = Buffer.alloc(0);
  let headerDone = false;
  res.on('data', (chunk) => {
    const receivedAt = performance.now();
    buf = Buffer.concat([buf, chunk]);
    if (!headerDone) {
      if (buf.length < 13) return;
      buf = buf.subarray(buf.readUInt32BE(5) + 4);
      headerDone = true;
    }
    while (buf.length >= 11) {
      const size = buf.readUIntBE(1, 3);
      if (buf.length < 11 + size + 4) break;
      const timestamp = buf.readUIntBE(4, 3) | (buf[7] << 24);
      const type = buf[0];
      onTag({
        type,
        timestamp,
        keyframe: type === 9 && buf[11] >> 4 === 1,
        avcPacketType: buf[12],
        receivedAt,
      });
      buf = buf.subarray(11 + size + 4);
    }
  });
}

async function startAgent(mode) {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const dir = mkdtempSync(join(tmpdir(), 'boxroom-idle-cost-'));
  writeFileSync(join(dir, 'public.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
  const port = await freePort();
  const display = freeDisplay(140);
  const roomId = `bench${port}`;
  const proc = spawn(process.execPath, [AGENT_BUNDLE], {
    env: {
      ...process.env,
      BOXROOM_ROOM_ID: roomId,
      BOXROOM_AGENT_PORT: String(port),
      BOXROOM_DISPLAY: String(display),
      BOXROOM_PUBLIC_KEY_FILE: join(dir, 'public.pem'),
      BOXROOM_RUN_DIR: join(dir, 'run'),
      BOXROOM_LOG_LEVEL: 'warn',
      BOXROOM_WIDTH: SCREEN.width,
      BOXROOM_HEIGHT: SCREEN.height,
      BOXROOM_FPS: SCREEN.fps,
      BOXROOM_CAPTURE: mode,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let err = '';
  const keep = (d) => (err = (err + d).slice(-4000));
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  const exited = new Promise((r) => proc.once('exit', r));
  const url = `http://127.0.0.1:${port}`;
  const key = await importPKCS8(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'EdDSA');
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ room: roomId, role: 'viewer', name: 'bench' })
    .setProtectedHeader({ alg: 'EdDSA' })
    .setIssuer('boxroom')
    .setSubject('bench')
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(key);
  const agent = {
    proc,
    stderr: () => err,
    url,
    display,
    // Xvfb runs with -auth: X clients need the agent's cookie file
    xauthority: join(dir, 'run', 'xauthority'),
    token,
    async health() {
      const res = await fetch(`${url}/healthz`);
      return { status: res.status, body: await res.json() };
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => {
          try {
            process.kill(-proc.pid, 'SIGKILL');
          } catch {
            // gone
          }
        }, 10_000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`agent exited:\n${err}`);
    try {
      if ((await agent.health()).status === 200) return agent;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await agent.stop();
      throw new Error(`agent not healthy:\n${err}`);
    }
    await sleep(100);
  }
}

/** `xdotool -` reading commands from stdin, on the room's display. */
function xdotool(agent) {
  const p = spawn('xdotool', ['-'], {
    env: { ...process.env, DISPLAY: `:${agent.display}`, XAUTHORITY: agent.xauthority },
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  return {
    send: (line) => p.stdin.write(`${line}\n`),
    close: () => {
      p.stdin.end();
      p.kill();
    },
  };
}

async function measureLatency(agent, n) {
  const tags = [];
  const req = get(`${agent.url}/stream.flv?token=${agent.token}`, (res) =>
    readFlv(res, (t) => {
      if (t.type === 9 && t.avcPacketType === 1) tags.push(t);
    }),
  );
  req.on('error', () => {});
  const x = xdotool(agent);
  await sleep(2000);
  const out = { pointer: [], key: [] };
  const spots = [
    [200, 560],
    [900, 450],
  ];
  try {
    for (let i = 0; i < 2 * n; i++) {
      // a still spell of random length: the change lands anywhere in x11grab's frame clock, and
      // after a keepalive at any phase in damage mode
      await sleep(300 + Math.random() * 600);
      const kind = i % 2 ? 'key' : 'pointer';
      const before = tags.length;
      const t0 = performance.now();
      if (kind === 'pointer') x.send(`mousemove ${spots[(i >> 1) % 2].join(' ')}`);
      else x.send(`key ${(i >> 1) % 2 ? 'BackSpace' : 'x'}`);
      // the clock offset: the smallest arrival - timestamp so far
      const deadline = t0 + 2000;
      let hit = null;
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

const proc_gone = (agent) => agent.proc.exitCode !== null || agent.proc.signalCode !== null;

async function runMode(mode) {
  const agent = await startAgent(mode);
  const result = { mode };
  try {
    const health = (await agent.health()).body;
    const names = new Map([[agent.proc.pid, 'agent (node)']]);
    for (const p of health.processes)
      if (p.pid) names.set(p.pid, p.name === 'ffmpeg' && mode === 'damage' ? 'boxroom-capture' : p.name);
    await sleep(WARMUP_S * 1000);
    result.still = await sampleCpu(agent.proc.pid, names, IDLE_S);
    if (LATENCY_N > 0) result.latency = await measureLatency(agent, LATENCY_N);
    if (proc_gone(agent))
      throw new Error(
        `the agent exited (${agent.proc.exitCode ?? agent.proc.signalCode}) during the run:\n${agent.stderr()}`,
      );
    if (BUSY !== 'none') {
      const x = xdotool(agent);
      x.send(`type --delay 1 '${BUSY === 'yes' ? 'yes' : 'top -d 0.1'}'`);
      x.send('key Return');
      await sleep(3000);
      result.busy = await sampleCpu(agent.proc.pid, names, IDLE_S);
      x.send('key ctrl+c');
      x.close();
    }
  } finally {
    await agent.stop();
  }
  return result;
}

function printCpu(label, results, key) {
  const names = [...new Set(results.flatMap((r) => (r[key] ? [...r[key].keys()] : [])))];
  const total = (r) => [...r[key].values()].reduce((a, b) => a + b, 0);
  console.log(`\n${label}: % of one core (${IDLE_S} s, ${SCREEN.width}x${SCREEN.height}@${SCREEN.fps})`);
  console.log(['process'.padEnd(18), ...results.map((r) => r.mode.padStart(9))].join(' '));
  for (const n of names.sort())
    console.log([n.padEnd(18), ...results.map((r) => (r[key].get(n) ?? 0).toFixed(1).padStart(9))].join(' '));
  console.log(['TOTAL'.padEnd(18), ...results.map((r) => total(r).toFixed(1).padStart(9))].join(' '));
}

const results = [];
for (const mode of MODES) {
  console.error(`[idle-cost] ${mode}...`);
  results.push(await runMode(mode));
}
printCpu('still screen', results, 'still');
if (BUSY !== 'none') printCpu(`busy screen (${BUSY === 'yes' ? 'yes' : 'top -d 0.1'})`, results, 'busy');
if (LATENCY_N > 0) {
  console.log('\nchange -> first FLV video tag after it (ms)');
  for (const r of results)
    for (const kind of ['pointer', 'key']) {
      const xs = r.latency[kind];
      console.log(
        `${r.mode.padEnd(8)} ${kind.padEnd(8)} n=${xs.length} p50=${pct(xs, 50).toFixed(1)} p95=${pct(xs, 95).toFixed(1)} min=${Math.min(...xs).toFixed(1)}`,
      );
    }
}
