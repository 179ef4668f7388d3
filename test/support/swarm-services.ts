/**
 * What the swarm test's services share: swarm secrets written by stdin (never a command line, where
 * `ps` shows it), the running container of a service's task on the host engine (the manager), and a
 * TCP probe run inside a container. All by the docker CLI on the host engine.
 */
import { execFile } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Secrets made for one test; removeAll() takes them away again (after their services). */
export class SwarmSecrets {
  private readonly made: string[] = [];

  async create(name: string, value: string): Promise<string> {
    const creating = run('docker', ['secret', 'create', name, '-']);
    creating.child.stdin?.end(value);
    await creating;
    this.made.push(name);
    return name;
  }

  async removeAll(): Promise<void> {
    for (const name of this.made.splice(0))
      await run('docker', ['secret', 'rm', name]).catch(() => undefined);
  }
}

/**
 * `docker service create` of one detached service placed on a manager (the test's services need the
 * manager's engine or its images); the caller adds the rest of the arguments and the image.
 */
export function createOnManager(service: string): string[] {
  return ['service', 'create', '--detach', '--name', service, '--constraint', 'node.role==manager'];
}

/** The container of a service's running task on this engine (the manager), or null. */
export async function taskContainer(service: string): Promise<string | null> {
  const { stdout } = await run('docker', [
    'ps',
    '-q',
    '--no-trunc',
    '--filter',
    `label=com.docker.swarm.service.name=${service}`,
  ]);
  return stdout.trim().split('\n')[0] || null;
}

export interface TcpProbeResult {
  host: string;
  port: number;
  /** `connected` with the banner the listener sent, else the error code or `timeout` */
  result: string;
}

/** Connects from inside the container, as `user`, with its own node binary; the peer's first bytes count. */
const PROBE = `
const net = require('net');
const probe = (t) => new Promise((res) => {
  let data = '';
  const s = net.connect({ host: t.host, port: t.port });
  const done = (result) => { s.destroy(); res({ ...t, result }); };
  s.setTimeout(2000, () => done('timeout'));
  s.on('data', (d) => { data += d; if (data.includes('\\n')) done('connected ' + data.trim()); });
  s.on('error', (e) => done(e.code || 'error'));
});
Promise.all(JSON.parse(process.argv[1]).map(probe)).then((r) => console.log(JSON.stringify(r)));
`;

/** A node script run inside the container as `user`, with one argument; its stdout. */
async function nodeIn(container: string, user: string, script: string, arg: string): Promise<string> {
  const { stdout } = await run('docker', ['exec', '-u', user, container, 'node', '-e', script, arg]);
  return stdout;
}

export async function tcpProbe(
  container: string,
  user: string,
  targets: Array<{ host: string; port: number }>,
): Promise<TcpProbeResult[]> {
  return JSON.parse(await nodeIn(container, user, PROBE, JSON.stringify(targets))) as TcpProbeResult[];
}

/**
 * Every IPv4 address of this host a room could try for a listener of the test on 0.0.0.0: each
 * interface's (docker0, docker_gwbridge, the veth to the worker: 198.18.100.1, the uplink), and the
 * docker_gwbridge gateway named explicitly, the one way off a node for a swarm task.
 */
export async function hostAddresses(): Promise<{ all: string[]; gwbridge: string }> {
  const all = Object.values(networkInterfaces())
    .flatMap((l) => l ?? [])
    .filter((a) => a.family === 'IPv4' && !a.internal)
    .map((a) => a.address);
  const { stdout } = await run('docker', [
    'network',
    'inspect',
    'docker_gwbridge',
    '--format',
    '{{(index .IPAM.Config 0).Gateway}}',
  ]);
  const gwbridge = stdout.trim();
  return { all: [...new Set([...all, gwbridge])], gwbridge };
}

/**
 * A name asked of the container's resolver (its resolv.conf's, the engine's on 127.0.0.11), as
 * `user`: `resolved <address>`, else the error code. One try of 1.5 s: a resolver that cannot forward
 * would hold getaddrinfo's retries for 10 s.
 */
export async function lookup(container: string, user: string, name: string): Promise<string> {
  const script =
    "new (require('dns').Resolver)({ timeout: 1500, tries: 1 }).resolve4(process.argv[1], " +
    "(e, a) => console.log(e ? e.code || 'error' : 'resolved ' + a[0]))";
  return (await nodeIn(container, user, script, name)).trim();
}
