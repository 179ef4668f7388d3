/**
 * A real two-node Docker Swarm on this one machine, for the swarm driver's tests: the host's engine
 * is the manager (it has the images already), a second engine in a network namespace of its own
 * joins as the worker. The two talk over a veth pair with addresses from the benchmarking range
 * (198.18.0.0/15, RFC 2544: never routed anywhere); overlay networks take theirs from 198.19.0.0/16.
 *
 * What this machine taught (and why the commands are as they are):
 * - the second dockerd starts through `nsenter --net=`: `ip netns exec` remounts /sys, and dockerd
 *   then dies with "Devices cgroup isn't mounted";
 * - overlay (VXLAN) traffic and `dnsrr` service names work across the two; service VIPs and the
 *   ingress mesh do not (the kernel has no IPVS), so nothing here publishes through them;
 * - images reach the worker by `docker save | docker -H unix://<socket> load` (no registry).
 *
 * The host engine is shared with every other docker test: dispose() always puts it back out of swarm
 * mode (`inactive`), whatever failed on the way, and removes everything else it made.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { sleep, waitForExit } from './processes.js';

const run = promisify(execFile);

export const MANAGER_ADDRESS = '198.18.100.1';
export const WORKER_ADDRESS = '198.18.100.2';
const PREFIX_LENGTH = 30;
const ADDRESS_POOL = '198.19.0.0/16';
const ENGINE_START_MS = 60_000;
const NODE_READY_MS = 60_000;
/** the worker's files: the room image (1.2 GB) unpacked, and docker load's copy of it while loading */
const WORKER_TMPFS = '6g';

/** Why this machine cannot run a second engine (null: it can), for a skip that says so. */
export async function swarmClusterMissing(): Promise<string | null> {
  if (process.getuid?.() !== 0) return 'a second Docker engine and a network namespace need root';
  for (const [cmd, pkg] of [
    ['ip', 'iproute2'],
    ['nsenter', 'util-linux'],
    ['dockerd', 'docker.io'],
    ['docker', 'docker.io'],
  ] as const) {
    const found = await run('sh', ['-c', `command -v ${cmd}`]).then(
      () => true,
      () => false,
    );
    if (!found) return `\`${cmd}\` is not installed (Debian package ${pkg})`;
  }
  const info = await docker(['info', '--format', '{{.Swarm.LocalNodeState}}']).catch(() => null);
  if (info === null) return 'no Docker engine answers on this host';
  // someone else's swarm (an operator's, or a test still running): not ours to join or leave
  if (info !== 'inactive') return `the host engine is in swarm mode already (${info})`;
  return null;
}

async function docker(args: string[], host?: string, timeoutMs = 60_000): Promise<string> {
  const { stdout } = await run('docker', [...(host ? ['-H', host] : []), ...args], {
    timeout: timeoutMs,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout.trim();
}

async function sh(cmd: string, args: string[]): Promise<void> {
  await run(cmd, args, { timeout: 30_000 });
}

export interface SwarmNode {
  readonly id: string;
  readonly hostname: string;
}

export interface CopiedImage {
  readonly image: string;
  readonly ms: number;
}

/**
 * One test's swarm. `prefix` names everything it makes (namespace, links, directory); the caller's
 * services and networks are the caller's, but dispose() leaves the swarm, which ends them all.
 */
export class SwarmCluster {
  manager: SwarmNode | null = null;
  worker: SwarmNode | null = null;
  /** the worker engine's API, for `docker -H` */
  readonly workerHost: string;
  readonly workerHostname: string;
  private readonly dir: string;
  private readonly netns: string;
  private readonly hostLink: string;
  private readonly pidFile: string;
  /** how long each teardown step took, ms (the test reports them: its time budget is tight) */
  readonly teardownMs: Record<string, number> = {};
  private dockerd: ChildProcess | null = null;
  private hostJoined = false;
  private dirMounted = false;
  /** docker_gwbridge is made by the host's first swarm: removed again when it was not there before */
  private gwbridgeWasThere = true;

  constructor(readonly prefix: string = `bxs${randomBytes(3).toString('hex')}`) {
    // short: a unix socket path has 108 bytes, an interface name 15
    this.dir = `/tmp/${prefix}`;
    this.netns = prefix;
    this.hostLink = `${prefix}h`;
    this.pidFile = `${this.dir}/dockerd.pid`;
    this.workerHost = `unix://${this.dir}/docker.sock`;
    this.workerHostname = `${prefix}-worker`;
  }

  /** The namespace, the link, the second engine, and the swarm of both. */
  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    // Everything of the worker (data root, exec root, sockets) on a tmpfs of its own: removing the
    // 1.2 GB room image file by file took 50 s here; unmounting takes none. Filled only as used.
    await sh('mount', ['-t', 'tmpfs', '-o', `size=${WORKER_TMPFS},mode=0700`, 'tmpfs', this.dir]);
    this.dirMounted = true;
    await this.network();
    await this.startWorkerEngine();
    this.gwbridgeWasThere = await docker(['network', 'inspect', 'docker_gwbridge']).then(
      () => true,
      () => false,
    );
    // joined only once our init took: an init refused because someone else's swarm is active on the
    // shared engine must not make dispose() leave (and so destroy) that swarm. An init that failed
    // late (a timeout) may still have made ours: the engine advertising our address says so.
    await docker([
      'swarm',
      'init',
      '--advertise-addr',
      MANAGER_ADDRESS,
      '--listen-addr',
      `${MANAGER_ADDRESS}:2377`,
      '--default-addr-pool',
      ADDRESS_POOL,
    ]).catch(async (err: unknown) => {
      const addr = await docker(['info', '--format', '{{.Swarm.NodeAddr}}']).catch(() => '');
      if (addr === MANAGER_ADDRESS) this.hostJoined = true;
      throw err;
    });
    this.hostJoined = true;
    const token = await docker(['swarm', 'join-token', '-q', 'worker']);
    await docker(
      ['swarm', 'join', '--token', token, '--advertise-addr', WORKER_ADDRESS, `${MANAGER_ADDRESS}:2377`],
      this.workerHost,
    );
    this.manager = await this.node(await docker(['info', '--format', '{{.Swarm.NodeID}}']));
    this.worker = await this.node(await docker(['info', '--format', '{{.Swarm.NodeID}}'], this.workerHost));
    await this.waitReady(this.worker.id);
  }

  /** Copies images from the host engine to the worker's; how long each took. */
  async copyImages(images: readonly string[]): Promise<CopiedImage[]> {
    const copied: CopiedImage[] = [];
    for (const image of images) {
      const started = Date.now();
      await run(
        'sh',
        ['-c', 'docker save "$1" | docker -H "$2" load -q', 'copy-image', image, this.workerHost],
        { timeout: 600_000 },
      );
      copied.push({ image, ms: Date.now() - started });
    }
    return copied;
  }

  /** Stops the worker's engine (its containers with it): to the manager, the node goes down. */
  async stopWorker(): Promise<void> {
    const d = this.dockerd;
    if (!d) return;
    d.kill('SIGTERM');
    await waitForExit(d, 60_000).catch(() => {
      d.kill('SIGKILL');
      return waitForExit(d, 10_000);
    });
    this.dockerd = null;
  }

  /**
   * Everything undone, each step whatever the one before did: the host out of swarm mode first
   * (the shared engine matters most), then the worker, its namespace and its files.
   */
  async dispose(): Promise<void> {
    const errors: unknown[] = [];
    const step = async (fn: () => Promise<unknown>, name = fn.name || 'step') => {
      const started = Date.now();
      try {
        await fn();
      } catch (err) {
        errors.push(err);
      }
      this.teardownMs[name] = (this.teardownMs[name] ?? 0) + Date.now() - started;
    };
    if (this.hostJoined) {
      await step(() => docker(['swarm', 'leave', '--force']), 'host leave');
      if (!this.gwbridgeWasThere) await step(() => docker(['network', 'rm', 'docker_gwbridge']), 'gwbridge');
    }
    if (this.dockerd) {
      await step(() => docker(['swarm', 'leave', '--force'], this.workerHost, 30_000), 'worker leave');
      await step(() => this.stopWorker(), 'worker stop');
    } else await step(() => this.killStrayEngine(), 'worker stop');
    await step(() => sh('ip', ['netns', 'delete', this.netns]).catch(() => undefined), 'netns');
    await step(() => sh('ip', ['link', 'delete', this.hostLink]).catch(() => undefined), 'netns');
    await step(() => this.removeDir(), 'data root');
    const state = await docker(['info', '--format', '{{.Swarm.LocalNodeState}}']).catch(() => 'unknown');
    if (this.hostJoined && state !== 'inactive')
      errors.push(new Error(`host engine left in swarm state ${state}`));
    if (errors.length) throw new AggregateError(errors, 'swarm cluster teardown was incomplete');
  }

  private async network(): Promise<void> {
    const worker = `${this.prefix}w`;
    await sh('ip', ['netns', 'add', this.netns]);
    await sh('ip', ['link', 'add', this.hostLink, 'type', 'veth', 'peer', 'name', worker]);
    await sh('ip', ['link', 'set', worker, 'netns', this.netns]);
    await sh('ip', ['addr', 'add', `${MANAGER_ADDRESS}/${PREFIX_LENGTH}`, 'dev', this.hostLink]);
    await sh('ip', ['link', 'set', this.hostLink, 'up']);
    const inNs = (args: string[]) => sh('ip', ['-n', this.netns, ...args]);
    await inNs(['addr', 'add', `${WORKER_ADDRESS}/${PREFIX_LENGTH}`, 'dev', worker]);
    await inNs(['link', 'set', worker, 'up']);
    await inNs(['link', 'set', 'lo', 'up']);
  }

  private async startWorkerEngine(): Promise<void> {
    const log = openSync(`${this.dir}/dockerd.log`, 'a');
    // nsenter and unshare exec (no fork): the child's pid is dockerd's. A UTS namespace of its own
    // gives the worker a hostname of its own: node events and failure reasons name nodes by it.
    this.dockerd = spawn(
      'nsenter',
      [
        `--net=/run/netns/${this.netns}`,
        'unshare',
        '--uts',
        '--',
        'sh',
        '-c',
        'hostname "$0" && exec dockerd "$@"',
        this.workerHostname,
        '--data-root',
        `${this.dir}/data`,
        '--exec-root',
        `${this.dir}/exec`,
        '--pidfile',
        this.pidFile,
        '-H',
        this.workerHost,
      ],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log);
    const deadline = Date.now() + ENGINE_START_MS;
    while (Date.now() < deadline) {
      if (this.dockerd.exitCode !== null) throw new Error(`second dockerd exited: ${this.logTail()}`);
      if (
        await docker(['version'], this.workerHost, 5_000).then(
          () => true,
          () => false,
        )
      )
        return;
      await sleep(250);
    }
    throw new Error(`second dockerd did not answer within ${ENGINE_START_MS} ms: ${this.logTail()}`);
  }

  private async node(id: string): Promise<SwarmNode> {
    const hostname = await docker(['node', 'inspect', '--format', '{{.Description.Hostname}}', id]);
    return { id, hostname };
  }

  private async waitReady(id: string): Promise<void> {
    const deadline = Date.now() + NODE_READY_MS;
    while (Date.now() < deadline) {
      if ((await docker(['node', 'inspect', '--format', '{{.Status.State}}', id])) === 'ready') return;
      await sleep(250);
    }
    throw new Error(`worker node ${id} not ready within ${NODE_READY_MS} ms`);
  }

  /**
   * A dockerd of ours whose child handle is gone (stopWorker timed out): by its pid file. The file
   * outlives a dockerd that died without removing it, and its pid may be another process's by now:
   * signalled only when that process's command line names our own data root.
   */
  private async killStrayEngine(): Promise<void> {
    if (!existsSync(this.pidFile)) return;
    const pid = Number(readFileSync(this.pidFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 1) return;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      return; // gone already
    }
    if (!cmdline.includes(`${this.dir}/data`)) return;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }

  /** The worker's data root may still hold mounts (overlay layers, netns files): off first, then its tmpfs. */
  private async removeDir(): Promise<void> {
    if (!existsSync(this.dir)) return;
    const { stdout } = await run('findmnt', ['-rn', '-o', 'TARGET']).catch(() => ({ stdout: '' }));
    const mounts = stdout
      .split('\n')
      .filter((m) => m.startsWith(`${this.dir}/`))
      .sort((a, b) => b.length - a.length);
    for (const m of mounts) await sh('umount', ['-l', m]).catch(() => undefined);
    if (this.dirMounted) await sh('umount', ['-l', this.dir]);
    this.dirMounted = false;
    rmSync(this.dir, { recursive: true, force: true });
  }

  private logTail(): string {
    try {
      return readFileSync(`${this.dir}/dockerd.log`, 'utf8').slice(-2000);
    } catch {
      return '(no log)';
    }
  }
}
