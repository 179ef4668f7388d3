import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sleep, waitForExit } from './processes.js';

const run = promisify(execFile);

/** One Docker engine of a PrivateSwarm: its own network namespace, mount namespace, data and socket. */
export interface PrivateNode {
  readonly name: string;
  /** the engine's socket, reachable from the host (`docker -H unix://<socket>`) */
  readonly socket: string;
  /** where the host reaches the node (its published ports) */
  readonly hostAddress: string;
  /** the address the swarm speaks on (the link between the nodes) */
  readonly swarmAddress: string;
}

/**
 * Two Docker engines that are not the host's, joined into one swarm as managers, for tests of
 * compose/stack.yaml. The host's shared engine never enters swarm mode.
 *
 * Each engine runs in a network namespace of its own (`nsenter --net`, not `ip netns exec`, which
 * remounts /sys so that dockerd dies) and a mount namespace of its own with a fresh /run: there the
 * engine's socket is /var/run/docker.sock, so a service that mounts that path (the dashboards) gets
 * its own node's engine and not the host's. A second socket in the data dir is the test's way in.
 * Addresses from the benchmarking range: host <-> node a 198.18.110.1/.2, host <-> node b .5/.6,
 * node a <-> node b .9/.10 (the swarm's link; the host forwards nothing).
 */
export class PrivateSwarm {
  readonly nodes: readonly [PrivateNode, PrivateNode];
  private readonly engines: ChildProcess[] = [];
  private readonly netns: string[];

  private constructor(
    private readonly id: string,
    private readonly root: string,
  ) {
    this.netns = ['a', 'b'].map((n) => `stack-${id}-${n}`);
    const node = (n: 'a' | 'b', host: string, swarm: string): PrivateNode => ({
      name: `stack-${n}`,
      socket: join(root, n, 'docker.sock'),
      hostAddress: host,
      swarmAddress: swarm,
    });
    this.nodes = [node('a', '198.18.110.2', '198.18.110.9'), node('b', '198.18.110.6', '198.18.110.10')];
  }

  /** Starts both engines; `stop()` undoes whatever part of it happened, also after a failure. */
  static async start(id: string, root: string): Promise<PrivateSwarm> {
    const swarm = new PrivateSwarm(id, root);
    try {
      await swarm.network();
      await Promise.all(['a', 'b'].map((n, i) => swarm.engine(n, i)));
    } catch (err) {
      await swarm.stop();
      throw err;
    }
    return swarm;
  }

  /** `docker -H <node's socket> ...`, its output */
  async docker(node: PrivateNode, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
    const { stdout } = await run('docker', ['-H', `unix://${node.socket}`, ...args], {
      env: env ?? process.env,
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout.trim();
  }

  /** Node a initialises the swarm, node b joins as a second manager. */
  async init(): Promise<void> {
    const [a, b] = this.nodes;
    await this.docker(a, [
      'swarm',
      'init',
      '--advertise-addr',
      a.swarmAddress,
      '--listen-addr',
      `${a.swarmAddress}:2377`,
      '--default-addr-pool',
      '198.19.0.0/16',
    ]);
    const token = await this.docker(a, ['swarm', 'join-token', '-q', 'manager']);
    await this.docker(b, [
      'swarm',
      'join',
      '--token',
      token,
      '--advertise-addr',
      b.swarmAddress,
      '--listen-addr',
      `${b.swarmAddress}:2377`,
      `${a.swarmAddress}:2377`,
    ]);
  }

  /** `docker save <images> | docker -H <node> load`, without a registry */
  async load(node: PrivateNode, images: string[]): Promise<void> {
    await run('sh', ['-c', `docker save "$@" | docker -H unix://${node.socket} load -q`, 'sh', ...images], {
      timeout: 300_000,
    });
  }

  /**
   * Leaves the swarm on both, stops the engines by pid, removes the namespaces, links and data: in
   * that order, each step whatever the one before did.
   */
  async stop(): Promise<void> {
    for (const node of [...this.nodes].reverse())
      if (existsSync(node.socket))
        await this.docker(node, ['swarm', 'leave', '--force']).catch(() => undefined);
    for (const engine of this.engines) {
      if (engine.exitCode === null && engine.signalCode === null) engine.kill('SIGTERM');
      await waitForExit(engine, 30_000).catch(() => {
        engine.kill('SIGKILL');
        return waitForExit(engine, 5000).catch(() => undefined);
      });
    }
    for (const ns of this.netns) await run('ip', ['netns', 'del', ns]).catch(() => undefined);
    for (const n of ['a', 'b']) await run('ip', ['link', 'del', this.hostLink(n)]).catch(() => undefined);
    await rm(this.root, { recursive: true, force: true });
  }

  private hostLink(n: string): string {
    return `bstk${this.id}${n}`;
  }

  private async network(): Promise<void> {
    const ip = (...args: string[]) => run('ip', args);
    const [nsA, nsB] = this.netns as [string, string];
    for (const ns of this.netns) {
      await ip('netns', 'add', ns);
      await ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    const hostSide = [
      ['a', nsA, '198.18.110.1/30', '198.18.110.2/30'],
      ['b', nsB, '198.18.110.5/30', '198.18.110.6/30'],
    ] as const;
    for (const [n, ns, host, inside] of hostSide) {
      const link = this.hostLink(n);
      await ip('link', 'add', link, 'type', 'veth', 'peer', 'name', 'host0', 'netns', ns);
      await ip('addr', 'add', host, 'dev', link);
      await ip('link', 'set', link, 'up');
      await ip('-n', ns, 'addr', 'add', inside, 'dev', 'host0');
      await ip('-n', ns, 'link', 'set', 'host0', 'up');
    }
    await ip('-n', nsA, 'link', 'add', 'node0', 'type', 'veth', 'peer', 'name', 'node0', 'netns', nsB);
    await ip('-n', nsA, 'addr', 'add', '198.18.110.9/30', 'dev', 'node0');
    await ip('-n', nsB, 'addr', 'add', '198.18.110.10/30', 'dev', 'node0');
    for (const ns of this.netns) await ip('-n', ns, 'link', 'set', 'node0', 'up');
  }

  private async engine(n: string, i: number): Promise<void> {
    const dir = join(this.root, n);
    await mkdir(dir, { recursive: true });
    const config = join(dir, 'daemon.json');
    await writeFile(config, '{}\n');
    const node = this.nodes[i]!;
    // sh is replaced by dockerd (exec), so the child's pid is the engine's: stopped by that pid
    const script = [
      'mount -t tmpfs -o mode=0755 tmpfs /run',
      `hostname ${node.name}`,
      `exec dockerd --data-root ${dir}/data --exec-root ${dir}/exec --pidfile ${dir}/dockerd.pid` +
        ` --config-file ${config} -H unix:///var/run/docker.sock -H unix://${node.socket}`,
    ].join(' && ');
    const child = spawn(
      'nsenter',
      [
        `--net=/run/netns/${this.netns[i]}`,
        'unshare',
        '--mount',
        '--uts',
        '--propagation',
        'private',
        'sh',
        '-c',
        script,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.engines.push(child);
    let log = '';
    child.stderr?.on('data', (d: Buffer) => (log = (log + d).slice(-4000)));
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (
        existsSync(node.socket) &&
        (await this.docker(node, ['version', '-f', '{{.Server.Version}}']).catch(() => ''))
      )
        return;
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`engine ${node.name} did not start:\n${log}`);
      await sleep(250);
    }
  }
}
