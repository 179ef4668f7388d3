#!/usr/bin/env node
// What boxroom's containers cost on this machine: image sizes and build times, a room's create ->
// ready time through the dashboard, and an idle room's memory and CPU on a still screen. Runs the
// compose deployment (compose/compose.yaml) under a project, port, instance and rooms network of its
// own, and removes all of it at the end (also on failure).
//
//   node bench/container-cost.mjs                 cached builds, 5 create -> ready samples, 30 s idle
//   node bench/container-cost.mjs --cold          also cold builds: a fresh debootstrap base (tag
//                                                 boxroom/base:bench) so no layer is cached; about 2 min
//   --rooms=N  --idle-s=S  --width=W --height=H --fps=F --app=terminal|browser
//
// Needs what the compose test needs: a Docker engine, docker-compose, debootstrap (cold builds).
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import { freePort } from './lib/free-port.mjs';

const run = promisify(execFile);
const REPO = new URL('../', import.meta.url).pathname;
const arg = (name, def) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : def;
};
const COLD = process.argv.includes('--cold');
const ROOMS = Number(arg('rooms', 5));
const IDLE_S = Number(arg('idle-s', 30));
const SPEC = {
  width: Number(arg('width', 1280)),
  height: Number(arg('height', 720)),
  fps: Number(arg('fps', 30)),
  app: arg('app', 'terminal'),
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const mb = (bytes) => Math.round(bytes / 1e6);
const out = [];
const report = (line) => {
  out.push(line);
  console.log(line);
};

/** Runs a command with its output on our stderr; resolves with the wall time in seconds. */
function timed(cmd, args, env = process.env) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(cmd, args, { cwd: REPO, env, stdio: ['ignore', 'ignore', 'inherit'] });
    p.on('error', reject);
    p.on('exit', (code) =>
      code === 0
        ? resolve((performance.now() - t0) / 1000)
        : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}`)),
    );
  });
}

async function imageSize(tag) {
  return Number((await run('docker', ['image', 'inspect', '-f', '{{.Size}}', tag])).stdout.trim());
}

async function builds() {
  const room = process.env.ROOM_IMAGE || 'boxroom/room:latest';
  const dashboard = process.env.DASHBOARD_IMAGE || 'boxroom/dashboard:latest';
  await timed('bash', ['scripts/images.sh']); // brings everything up to date first
  const cached = await timed('bash', ['scripts/images.sh']);
  report(`images.sh, everything cached (bundling included): ${cached.toFixed(1)} s`);
  for (const [what, tag] of [
    ['base', 'boxroom/base:bookworm'],
    ['room', room],
    ['dashboard', dashboard],
  ]) {
    const size = await imageSize(tag).catch(() => NaN);
    report(`size ${what} (${tag}): ${mb(size)} MB`);
  }
  if (!COLD) return;
  // A new base image id invalidates every layer above it: a true cold build of both images, under
  // tags of their own so the images in use are not touched.
  const tags = {
    BASE_IMAGE: 'boxroom/base:bench',
    ROOM_IMAGE: 'boxroom/room:bench',
    DASHBOARD_IMAGE: 'boxroom/dashboard:bench',
  };
  try {
    const baseS = await timed('bash', ['room-image/build-base.sh', tags.BASE_IMAGE], {
      ...process.env,
      FORCE: '1',
    });
    report(`cold base (debootstrap + import): ${baseS.toFixed(0)} s`);
    const roomS = await timed('bash', ['scripts/images.sh'], { ...process.env, ...tags, IMAGES: 'room' });
    report(`cold room image (apt-get from Debian's mirror, bundling included): ${roomS.toFixed(0)} s`);
    const dashS = await timed('bash', ['scripts/images.sh'], { ...process.env, ...tags });
    // the room image is cached by now: what remains is the dashboard's cold build (+ ~3 s of room cache)
    report(`cold dashboard image (+ a cached room pass): ${dashS.toFixed(0)} s`);
    report(`size cold-built room: ${mb(await imageSize(tags.ROOM_IMAGE))} MB`);
  } finally {
    await run('docker', ['rmi', tags.ROOM_IMAGE, tags.DASHBOARD_IMAGE, tags.BASE_IMAGE]).catch(
      () => undefined,
    );
    await run('docker', ['image', 'prune', '-f', '--filter', 'label=io.boxroom.image']).catch(
      () => undefined,
    );
  }
}

/** cgroup v1 (cgroupfs) or v2 CPU time of a container in ns, or null when not readable here. */
function cpuNs(id) {
  for (const f of [
    `/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`,
    `/sys/fs/cgroup/docker/${id}/cpu.stat`,
    `/sys/fs/cgroup/system.slice/docker-${id}.scope/cpu.stat`,
  ]) {
    try {
      const text = readFileSync(f, 'utf8');
      const m = /usage_usec (\d+)/.exec(text);
      return m ? Number(m[1]) * 1000 : Number(text.trim());
    } catch {
      // not this layout
    }
  }
  return null;
}

const CLK_TCK = 100;

/** utime + stime (clock ticks) and RSS of every process of a container, by host pid, from /proc. */
async function processTicks(container) {
  const { stdout } = await run('docker', ['top', container, '-o', 'pid,rss,comm']);
  const procs = new Map();
  for (const line of stdout.trim().split('\n').slice(1)) {
    const [pid, rss, ...comm] = line.trim().split(/\s+/);
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.set(pid, { comm: comm.join(' '), rssKiB: Number(rss), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // gone meanwhile
    }
  }
  return procs;
}

/** `docker stats --no-stream` of one container: memory in MiB (as docker reports it) and CPU in % of a core. */
async function stats(container) {
  const { stdout } = await run('docker', [
    'stats',
    '--no-stream',
    '--format',
    '{{.MemUsage}}|{{.CPUPerc}}',
    container,
  ]);
  const [mem, cpu] = stdout.trim().split('|');
  const m = /([\d.]+)\s*([KMG]i?B)/.exec(mem);
  const unit = { KiB: 1 / 1024, MiB: 1, GiB: 1024, KB: 1 / 1024, MB: 1, GB: 1024 }[m[2]];
  return { memMiB: Number(m[1]) * unit, cpuPct: Number.parseFloat(cpu) };
}

async function deployment() {
  const suffix = randomBytes(3).toString('hex');
  const project = `boxroombench${suffix}`;
  const instance = `bench-${suffix}`;
  const network = `boxroom-${instance}`;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const token = `bench-admin-${randomBytes(12).toString('hex')}`;
  const env = {
    ...process.env,
    DOCKER_GID: String(statSync('/var/run/docker.sock').gid),
    BOXROOM_PORT: String(port),
    BOXROOM_PUBLIC_URL: url,
    BOXROOM_ADMIN_TOKEN: token,
    BOXROOM_DOCKER_INSTANCE: instance,
    BOXROOM_DOCKER_NETWORK: network,
  };
  const compose = (...args) =>
    run('docker-compose', ['-p', project, '-f', 'compose/compose.yaml', ...args], { cwd: REPO, env });
  const api = async (method, path, body) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  try {
    await compose('up', '-d');
    for (let i = 0; ; i++) {
      if (
        await fetch(`${url}/healthz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      if (i > 150) throw new Error('dashboard did not come up');
      await sleep(200);
    }
    const readyMs = [];
    let last = null;
    for (let i = 0; i < ROOMS; i++) {
      const t0 = performance.now();
      const created = await api('POST', '/api/rooms', { name: `bench ${i}`, ...SPEC });
      if (created.status !== 201)
        throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
      for (;;) {
        const { body } = await api('GET', `/api/rooms/${created.body.id}`);
        if (body.status === 'ready') break;
        if (body.status === 'failed' || performance.now() - t0 > 60_000)
          throw new Error(`room ${body.status}`);
        await sleep(50);
      }
      readyMs.push(performance.now() - t0);
      if (last) await api('DELETE', `/api/rooms/${last}`);
      last = created.body.id;
    }
    report(
      `room create -> ready through the API (${SPEC.width}x${SPEC.height}@${SPEC.fps} ${SPEC.app}, n=${ROOMS}): ` +
        `median ${(median(readyMs) / 1000).toFixed(2)} s, min ${(Math.min(...readyMs) / 1000).toFixed(2)}, ` +
        `max ${(Math.max(...readyMs) / 1000).toFixed(2)}`,
    );

    const { stdout } = await run('docker', [
      'ps',
      '-q',
      '--no-trunc',
      '--filter',
      `label=io.boxroom.instance=${instance}`,
    ]);
    const id = stdout.trim();
    await sleep(5000); // past the start: the first seconds hold the agent's and ffmpeg's start-up
    const samples = [];
    const procs0 = await processTicks(id);
    const cpu0 = cpuNs(id);
    const t0 = performance.now();
    while (performance.now() - t0 < IDLE_S * 1000) samples.push(await stats(id));
    const cpu1 = cpuNs(id);
    const wallS = (performance.now() - t0) / 1000;
    report(
      `idle room, still screen, ${samples.length} docker stats samples over ${wallS.toFixed(0)} s: ` +
        `memory median ${median(samples.map((s) => s.memMiB)).toFixed(0)} MiB ` +
        `(min ${Math.min(...samples.map((s) => s.memMiB)).toFixed(0)}, max ${Math.max(...samples.map((s) => s.memMiB)).toFixed(0)}), ` +
        `CPU median ${median(samples.map((s) => s.cpuPct)).toFixed(1)} % of a core`,
    );
    if (cpu0 !== null && cpu1 !== null)
      report(
        `idle room CPU from the cgroup over the same ${wallS.toFixed(0)} s: ${((cpu1 - cpu0) / 1e7 / wallS).toFixed(1)} % of a core`,
      );
    const procs1 = await processTicks(id);
    const share = [...procs1]
      .map(([pid, p]) => ({
        ...p,
        pct: ((p.ticks - (procs0.get(pid)?.ticks ?? p.ticks)) / CLK_TCK / wallS) * 100,
      }))
      .sort((a, b) => b.pct - a.pct)
      .map((p) => `${p.comm} ${p.pct.toFixed(1)} % / ${(p.rssKiB / 1024).toFixed(0)} MiB`);
    report(`per process over the same window (CPU of a core / RSS): ${share.join(', ')}`);
    for (const service of ['dashboard', 'janitor']) {
      const s = await stats(`${project}_${service}_1`);
      report(`${service} container, idle: ${s.memMiB.toFixed(0)} MiB`);
    }
  } finally {
    await compose('down', '-v', '-t', '5').catch((err) => console.error(`down failed: ${err.message}`));
    const { stdout } = await run('docker', [
      'ps',
      '-aq',
      '--filter',
      `label=io.boxroom.instance=${instance}`,
    ]);
    if (stdout.trim()) await run('docker', ['rm', '-f', '-v', ...stdout.trim().split('\n')]);
    await run('docker', ['network', 'rm', network]).catch(() => undefined);
  }
}

await builds();
await deployment();
console.log(`\n${out.join('\n')}`);
