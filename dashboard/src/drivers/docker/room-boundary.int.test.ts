/**
 * A Docker room is the trust boundary: everything a controller can start runs as the desktop user
 * (`boxroom-desktop`, uid 1001), so this suite plays that attacker with `docker exec -u
 * boxroom-desktop` in a real room made by the driver from the real image, and every attempt must
 * fail: signal or inspect the agent, read its environ, memory or run dir, find a secret in a
 * command line, speak RFB to x11vnc without the agent, reach the dashboard through any of the
 * host's addresses, reach link-local (metadata), private or carrier-grade NAT addresses. Only what
 * BOXROOM_ROOM_EGRESS_ALLOW opens, and public addresses, answer.
 *
 * Every remote address here belongs to a network namespace this test creates (a veth pair, public
 * stand-ins from the benchmarking range 198.18.0.0/15, private ones routed to it); no packet goes
 * anywhere else. The namespace, routes, rules, containers and network are removed afterwards.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { connect, createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { SignJWT, exportSPKI, generateKeyPair } from 'jose';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomDriver, RoomSpec } from '../../rooms/room-driver.js';
import { containerName } from './container-options.js';
import { createDockerDriver } from './index.js';
import { labelFilter } from './labels.js';
import { roomsBridge } from './network.js';
import { BLOCKED, chainNames } from './room-firewall-rules.js';
import { removeRoomFirewall } from './room-firewall.js';

const run = promisify(execFile);
const REPO = new URL('../../../../', import.meta.url).pathname;
const IMAGE = process.env.ROOM_IMAGE || 'boxroom/room:latest';
const IMAGE_BUILD_TIMEOUT_MS = 15 * 60_000;
const READY_TIMEOUT_MS = 45_000;

const docker = new Docker();
const tag = randomBytes(3).toString('hex');
const instance = `itbnd-${tag}`;
const network = `boxroom-${instance}`;
const spec: RoomSpec = {
  id: `b${randomBytes(4).toString('hex')}`,
  name: 'boundary room',
  width: 640,
  height: 360,
  fps: 15,
  app: 'terminal',
  createdAt: Date.now(),
  ownerId: null,
};
const container = containerName(instance, spec.id);

// The far end: one namespace, reached from the host over a veth pair.
const ns = `bxt-${tag}`;
const vethHost = `bxh${tag}`;
const vethNs = `bxn${tag}`;
const octet = randomInt(1, 255);
const FAR = {
  hostSide: `198.18.${octet}.1`,
  public: `198.18.${octet}.2`,
  private: `10.213.${octet}.2`,
  cgnat: `100.64.${octet}.2`,
  metadata: '169.254.169.254',
  allowed: `10.214.${octet}.2`,
  allowedNet: `10.214.${octet}.0/24`,
  dnsAllowed: `10.215.${octet}.2`,
  dnsAnswer: `198.18.${octet}.9`,
};
const FAR_PORT = 18000 + randomInt(0, 1000);

let driver: RoomDriver | undefined;
let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let bridge: string | null = null;
let farListener: ChildProcess | undefined;
/** the far end's stderr, shown when an assertion about it fails */
let farErrors = '';
let dashboard: Server | undefined;
let dashboardPort = 0;
let dashboardHits = 0;

async function sh(cmd: string, args: string[]): Promise<string> {
  return (await run(cmd, args)).stdout;
}

/** Runs bash as the desktop user in the room; resolves with exit code and output, never rejects. */
async function asDesktop(script: string): Promise<{ code: number; out: string }> {
  try {
    const r = await run('docker', ['exec', '-u', 'boxroom-desktop', container, 'bash', '-c', script]);
    return { code: 0, out: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** The room owner's token, as the dashboard would sign it after a join. */
async function ownerToken(): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ room: spec.id, role: 'owner', name: 'owner' })
    .setProtectedHeader({ alg: 'EdDSA' })
    .setIssuer('boxroom')
    .setSubject('itest-owner')
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .sign(privateKey);
}

/** pids of the desktop user's processes named `name` (comm), as the container's root sees them */
async function desktopPids(name: string): Promise<string[]> {
  const { stdout } = await run('docker', [
    'exec',
    container,
    'bash',
    '-c',
    `for p in /proc/[0-9]*; do [ "$(cat $p/comm 2>/dev/null)" = ${name} ] && ` +
      `grep -q "^Uid:\\s*1001\\s" $p/status && echo \${p#/proc/}; done; true`,
  ]);
  return stdout.split('\n').filter(Boolean);
}

interface ProbeResult {
  host?: string;
  port?: number;
  path?: string;
  result: string;
  banner: string;
}

/**
 * Connects, as the desktop user, to each endpoint with the room's own node binary (any program a
 * controller starts could): `connected` with the first bytes the peer sent, else the error code.
 */
const PROBE = `
const net = require('net');
const probe = (t) => new Promise((res) => {
  let data = Buffer.alloc(0), connected = false;
  const s = net.connect(t.path !== undefined ? { path: t.path } : { host: t.host, port: t.port });
  const done = (result) => { s.destroy(); res({ ...t, result, banner: data.toString('latin1', 0, 12) }); };
  s.setTimeout(2500, () => done(connected ? 'connected' : 'timeout'));
  s.on('connect', () => { connected = true; setTimeout(() => done('connected'), 500); });
  s.on('data', (d) => { data = Buffer.concat([data, d]); });
  s.on('error', (e) => done(e.code || 'error'));
});
Promise.all(JSON.parse(process.argv[1]).map(probe)).then((r) => console.log(JSON.stringify(r)));
`;

async function probe(targets: { host?: string; port?: number; path?: string }[]): Promise<ProbeResult[]> {
  const { stdout } = await run('docker', [
    'exec',
    '-u',
    'boxroom-desktop',
    container,
    'node',
    '-e',
    PROBE,
    JSON.stringify(targets),
  ]);
  return JSON.parse(stdout) as ProbeResult[];
}

/** The far end's servers: TCP "far" on every address, and a DNS server answering every A query. */
const FAR_SERVER = `
const net = require('net'), dgram = require('dgram');
net.createServer((s) => s.end('far\\n')).listen(${FAR_PORT}, '0.0.0.0');
// one socket per address: a resolver drops answers that come from another address than it asked
for (const addr of ${JSON.stringify([FAR.private, FAR.dnsAllowed])}) {
const d = dgram.createSocket('udp4');
d.on('message', (m, r) => {
  let i = 12; while (m[i]) i += m[i] + 1;
  const isA = m.readUInt16BE(i + 1) === 1;
  const head = Buffer.from([m[0], m[1], 0x81, 0x80, 0, 1, 0, isA ? 1 : 0, 0, 0, 0, 0]);
  const answer = isA ? Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, ${FAR.dnsAnswer.split('.').join(', ')}]) : Buffer.alloc(0);
  d.send(Buffer.concat([head, m.subarray(12, i + 5), answer]), r.port, r.address);
});
d.bind(53, addr);
}
`;

async function setUpFarEnd(): Promise<void> {
  await sh('ip', ['netns', 'add', ns]);
  await sh('ip', ['link', 'add', vethHost, 'type', 'veth', 'peer', 'name', vethNs]);
  await sh('ip', ['link', 'set', vethNs, 'netns', ns]);
  await sh('ip', ['addr', 'add', `${FAR.hostSide}/24`, 'dev', vethHost]);
  await sh('ip', ['link', 'set', vethHost, 'up']);
  const inNs = (args: string[]) => sh('ip', ['-n', ns, ...args]);
  await inNs(['link', 'set', 'lo', 'up']);
  await inNs(['addr', 'add', `${FAR.public}/24`, 'dev', vethNs]);
  for (const a of [FAR.private, FAR.cgnat, FAR.metadata, FAR.allowed, FAR.dnsAllowed])
    await inNs(['addr', 'add', `${a}/32`, 'dev', vethNs]);
  await inNs(['link', 'set', vethNs, 'up']);
  await inNs(['route', 'add', 'default', 'via', FAR.hostSide]);
  // host routes to the namespace's private stand-ins; they go with the veth when it is deleted
  for (const a of [FAR.private, FAR.cgnat, FAR.metadata, FAR.allowed, FAR.dnsAllowed])
    await sh('ip', ['route', 'add', `${a}/32`, 'via', FAR.public, 'dev', vethHost]);
  farListener = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', FAR_SERVER], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  farListener.stderr!.setEncoding('utf8').on('data', (d: string) => (farErrors += d));
  farListener.on('exit', (code, signal) => (farErrors += `far end exited: ${code ?? signal}\n`));
  // ready when the host reaches it
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((res) => {
      const c = connect({ host: FAR.public, port: FAR_PORT }, () => {
        c.destroy();
        res(true);
      });
      c.on('error', () => res(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error('far-end listener did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function tearDownFarEnd(): Promise<void> {
  if (farListener?.pid) {
    // `ip netns exec` execs node in place: this pid is the listener itself
    try {
      process.kill(farListener.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  await sh('ip', ['link', 'del', vethHost]).catch(() => undefined);
  await sh('ip', ['netns', 'del', ns]).catch(() => undefined);
}

beforeAll(async () => {
  await run('bash', ['scripts/images.sh'], {
    cwd: REPO,
    env: { ...process.env, IMAGES: 'room' },
    maxBuffer: 64 * 1024 * 1024,
  });
  await setUpFarEnd();
  dashboard = createServer((s) => {
    dashboardHits++;
    s.end('dashboard\n');
  });
  await new Promise<void>((res) => dashboard!.listen(0, '0.0.0.0', res));
  dashboardPort = (dashboard.address() as { port: number }).port;

  const keys = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  privateKey = keys.privateKey;
  const publicKeyPem = await exportSPKI(keys.publicKey);
  driver = createDockerDriver({
    publicKeyPem,
    instance,
    network,
    image: IMAGE,
    stopTimeoutS: 2,
    egressAllow: [{ host: FAR.allowedNet.split('/')[0]!, prefix: 24 }],
    // stands in for the host's resolv.conf: this resolver, and no other private one, answers rooms
    dnsServers: [FAR.dnsAllowed],
    log: pino({ level: 'warn' }),
  });
  await driver.init();
  bridge = await roomsBridge(docker, network);
  await driver.create(spec);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const status = (await driver.get(spec.id))?.status;
    if (status === 'ready') break;
    if (status === 'failed' || Date.now() > deadline) throw new Error(`room is ${status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}, IMAGE_BUILD_TIMEOUT_MS);

afterAll(async () => {
  await driver?.close();
  const left = await docker.listContainers({ all: true, filters: { label: labelFilter(instance) } });
  await Promise.all(
    left.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
  if (bridge) await removeRoomFirewall(bridge);
  await docker
    .getNetwork(network)
    .remove()
    .catch(() => undefined);
  await tearDownFarEnd();
  await new Promise((res) => (dashboard ? dashboard.close(res) : res(undefined)));
}, 60_000);

describe('a Docker room as the boundary (real engine, real image, attacker = desktop uid)', () => {
  it('runs the attacker as uid 1001 with no capabilities and finds no setuid program', async () => {
    const r = await asDesktop('id -u; grep CapEff /proc/self/status; grep NoNewPrivs /proc/self/status');
    expect(r.out).toMatch(/^1001\nCapEff:\s+0000000000000000\nNoNewPrivs:\s+1\n/);
    const found = await asDesktop('find / -xdev -perm /6000 -type f 2>/dev/null; true');
    expect(found.out.trim()).toBe('');
  });

  it('cannot signal, trace or read the agent', async () => {
    const pid = (
      await asDesktop(
        'for p in /proc/[0-9]*; do [ "$(cat $p/comm 2>/dev/null)" = node ] && grep -q room-agent.mjs $p/cmdline && ' +
          'grep -q "^Uid:\\s*0\\s" $p/status && echo ${p#/proc/}; done; true',
      )
    ).out.trim();
    expect(pid).toMatch(/^\d+$/);
    const kill = await asDesktop(`kill -USR1 ${pid}`);
    expect(kill.code).not.toBe(0);
    expect(kill.out).toMatch(/Operation not permitted/);
    // the inspector did not open: nothing listens on 9229
    expect((await probe([{ host: '127.0.0.1', port: 9229 }]))[0]!.result).toBe('ECONNREFUSED');
    for (const cmd of [
      'head -c 64 environ',
      'head -c 64 mem',
      'head -c 64 maps',
      'ls fd',
      'ls cwd/',
      'ls root/',
    ]) {
      const r = await asDesktop(`cd /proc/${pid} && ${cmd}`);
      expect({ cmd, code: r.code }).not.toEqual({ cmd, code: 0 });
    }
    const runDir = await asDesktop('ls -a /run/room');
    expect(runDir.code).not.toBe(0);
    expect(runDir.out).toMatch(/Permission denied/);
  });

  it('finds no secret in any command line', async () => {
    const { out } = await asDesktop(
      'for f in /proc/[0-9]*/cmdline; do tr "\\0" " " <"$f" 2>/dev/null; echo; done; true',
    );
    expect(out).toMatch(/room-agent\.mjs/); // the agent's own is there to read
    expect(out).not.toMatch(/sign=|token=|passwd|rfbauth|secret|BEGIN .*PRIVATE/i);
  });

  it('reaches no RFB server: x11vnc answers only the agent', async () => {
    // every listening TCP socket (v4 and v6) and every named or abstract unix socket in the room
    const { out } = await asDesktop(
      'awk \'NR>1 && $4=="0A" {print $2}\' /proc/net/tcp /proc/net/tcp6; echo ---; ' +
        'awk \'NR>1 && $4=="00010000" && $8!="" {print $8}\' /proc/net/unix',
    );
    const [tcp, unix] = out.split('---\n');
    const targets: { host?: string; port?: number; path?: string }[] = [];
    for (const a of tcp!.split('\n').filter(Boolean)) {
      const [addr, port] = a.split(':') as [string, string];
      // v6 sockets by ::1, v4 by their own address (0.0.0.0: by loopback)
      const v4 = addr.length === 8 ? [...Buffer.from(addr, 'hex')].reverse().join('.') : null;
      const host = v4 === null ? '::1' : v4 === '0.0.0.0' ? '127.0.0.1' : v4;
      targets.push({ host, port: parseInt(port, 16) });
    }
    for (const p of unix!.split('\n').filter(Boolean))
      targets.push({ path: p.startsWith('@') ? `\0${p.slice(1)}` : p });
    expect(targets.length).toBeGreaterThan(0);
    const results = await probe(targets);
    const rfb = results.filter((r) => r.banner.startsWith('RFB '));
    expect(rfb).toEqual([]);
  });

  it('reaches the host on none of its addresses, whatever the port', async () => {
    const gateway = (await docker.getNetwork(network).inspect()) as {
      IPAM: { Config: { Gateway?: string }[] };
    };
    const hostAddresses = new Set<string>(
      gateway.IPAM.Config.map((c) => c.Gateway).filter((g): g is string => !!g),
    );
    for (const list of Object.values(networkInterfaces()))
      for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) hostAddresses.add(a.address);
    expect(hostAddresses.has(FAR.hostSide)).toBe(true);
    // the probe itself works: the same listener answers from the host
    const results = await probe([...hostAddresses].map((host) => ({ host, port: dashboardPort })));
    expect(results.length).toBeGreaterThanOrEqual(3); // rooms gateway, the veth, eth0/docker0
    for (const r of results)
      expect({ host: r.host, result: r.result }).not.toEqual({ host: r.host, result: 'connected' });
    expect(dashboardHits).toBe(0);
  });

  it('reaches no private, carrier-grade NAT or metadata address; public and allowed ones answer', async () => {
    const results = await probe(
      [FAR.private, FAR.cgnat, FAR.metadata, FAR.public, FAR.allowed].map((host) => ({
        host,
        port: FAR_PORT,
      })),
    );
    const by = Object.fromEntries(results.map((r) => [r.host, `${r.result} ${r.banner.trim()}`]));
    expect(farErrors).toBe('');
    expect(by).toEqual({
      [FAR.private]: expect.not.stringMatching(/^connected/),
      [FAR.cgnat]: expect.not.stringMatching(/^connected/),
      [FAR.metadata]: expect.not.stringMatching(/^connected/),
      [FAR.public]: 'connected far',
      [FAR.allowed]: 'connected far',
    });
  });

  it('resolves through the engine DNS: its own names, and upstream only via the allowed resolver', async () => {
    const self = await asDesktop(`getent hosts ${container}`);
    expect(self.code).toBe(0);
    // the engine's DNS forwards from the container's namespace: the allowed resolver answers...
    const throwaway = (dns: string) =>
      run('docker', [
        'run',
        '--rm',
        '--network',
        network,
        '--dns',
        dns,
        '--label',
        `io.boxroom.instance=${instance}`,
        '--user',
        'boxroom-desktop',
        '--no-healthcheck',
        IMAGE,
        'getent',
        'hosts',
        'probe.boxroom.test',
      ]).then(
        (r) => r.stdout.trim(),
        () => 'failed',
      );
    expect(await throwaway(FAR.dnsAllowed)).toMatch(new RegExp(`^${FAR.dnsAnswer.replace(/\./g, '\\.')}\\s`));
    // ...the same server on a private address that is not allowed does not
    expect(await throwaway(FAR.private)).toBe('failed');
  }, 60_000);

  it('is still reachable from the host, by published port and by container address', async () => {
    const rec = await driver!.get(spec.id);
    expect((await fetch(`${rec!.agentUrl}/healthz`)).status).toBe(200);
    const info = await docker.getContainer(container).inspect();
    const ip = info.NetworkSettings.Networks[network]!.IPAddress;
    expect((await fetch(`http://${ip}:9000/healthz`)).status).toBe(200);
  });

  it('ends a background job of the desktop user on a desktop reset, under the container caps', async () => {
    // what a former controller leaves behind: a detached job of the desktop uid
    await run('docker', ['exec', '-d', '-u', 'boxroom-desktop', container, 'setsid', 'sleep', '600']);
    const deadline = Date.now() + 5_000;
    while ((await desktopPids('sleep')).length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(await desktopPids('sleep')).toHaveLength(1);
    const wmBefore = await desktopPids('openbox');
    expect(wmBefore).toHaveLength(1);
    const rec = await driver!.get(spec.id);
    const res = await fetch(`${rec!.agentUrl}/desktop/reset`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await ownerToken()}` },
    });
    expect(res.status).toBe(202);
    const until = Date.now() + 20_000;
    for (;;) {
      const [sleeps, wm, health] = await Promise.all([
        desktopPids('sleep'),
        desktopPids('openbox'),
        fetch(`${rec!.agentUrl}/healthz`).then((r) => r.status),
      ]);
      if (sleeps.length === 0 && wm.length === 1 && wm[0] !== wmBefore[0] && health === 200) break;
      if (Date.now() > until)
        throw new Error(`after reset: sleep ${sleeps}, openbox ${wm}, health ${health}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 40_000);

  it('installs its rules once, however often a driver starts', async () => {
    const again = createDockerDriver({
      publicKeyPem: '',
      instance,
      network,
      image: IMAGE,
      egressAllow: [{ host: FAR.allowedNet.split('/')[0]!, prefix: 24 }],
      dnsServers: [FAR.dnsAllowed],
      log: pino({ level: 'warn' }),
    });
    await again.init();
    await again.close();
    const { input, egress } = chainNames(bridge!);
    const count = (s: string, needle: string) => s.split('\n').filter((l) => l.includes(needle)).length;
    expect(count(await sh('iptables', ['-w', '-S', 'INPUT']), `-j ${input}`)).toBe(1);
    expect(count(await sh('iptables', ['-w', '-S', 'DOCKER-USER']), `-j ${egress}`)).toBe(1);
    // chain + 2 (in) and chain + 1 established + 2 dns + 1 allow + the blocked networks (out)
    expect(count(await sh('iptables', ['-w', '-S', input]), `-A ${input}`)).toBe(2);
    expect(count(await sh('iptables', ['-w', '-S', egress]), `-A ${egress}`)).toBe(4 + BLOCKED[4].length);
  }, 30_000);
});
