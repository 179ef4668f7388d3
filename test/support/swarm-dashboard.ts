import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { until } from './agent-helpers.js';
import { callApi, REPO } from './dashboard-process.js';
import { freePort } from './processes.js';
import { createOnManager, taskContainer } from './swarm-services.js';

const run = promisify(execFile);

/**
 * This checkout's dashboard bundle, built once for every replica of a test: one file with its
 * dependencies, as the image's own (scripts/images.sh builds it so), and the image it runs in.
 */
export class DashboardBundle {
  private constructor(
    readonly dir: string,
    readonly image: string,
  ) {}

  static async build(): Promise<DashboardBundle> {
    const image = process.env.DASHBOARD_IMAGE || 'boxroom/dashboard:latest';
    const hasImage = await run('docker', ['image', 'inspect', image]).then(
      () => true,
      () => false,
    );
    if (!hasImage)
      await run('bash', ['scripts/images.sh'], {
        cwd: REPO,
        env: { ...process.env, IMAGES: 'dashboard', DASHBOARD_IMAGE: image },
        timeout: 900_000,
      });
    const dir = await mkdtemp(join(tmpdir(), 'boxroom-swarm-dash-'));
    try {
      await run(
        process.execPath,
        ['scripts/build.mjs', '--standalone', '--only=dashboard', `--outdir=${dir}`],
        { cwd: REPO, timeout: 120_000 },
      );
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
    return new DashboardBundle(dir, image);
  }

  get dist(): string {
    return join(this.dir, 'dashboard/dist');
  }

  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

export interface SwarmDashboardOptions {
  /** the rooms' instance label; with `name`, the service's name */
  prefix: string;
  /** this replica's name (`dashboard-a`) */
  name: string;
  bundle: DashboardBundle;
  /** the rooms' overlay first, then any the dashboard needs besides (its egress, the database's) */
  networks: readonly string[];
  roomImage: string;
  adminToken: string;
  /** swarm secrets by the file name they get in /run/secrets/; the env's *_FILE settings name them */
  secrets: Readonly<Record<string, string>>;
  env?: Record<string, string>;
}

/**
 * A dashboard replica as a swarm service on the manager: the boxroom/dashboard image (node,
 * entrypoint, web UI) running this checkout's bundle, bind-mounted, so the test needs no image build
 * to run the current code. On the rooms' overlay (it reaches agents there by service name), its port
 * published in `mode: host` (no ingress mesh: this kernel has no IPVS), the engine's socket mounted.
 */
export class SwarmDashboard {
  private constructor(
    readonly service: string,
    readonly port: number,
    readonly adminToken: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(o: SwarmDashboardOptions): Promise<SwarmDashboard> {
    const port = await freePort();
    const service = `${o.prefix}-${o.name}`;
    const env = {
      BOXROOM_DRIVER: 'swarm',
      BOXROOM_DOCKER_INSTANCE: o.prefix,
      BOXROOM_DOCKER_IMAGE: o.roomImage,
      BOXROOM_SWARM_NETWORK: o.networks[0]!,
      BOXROOM_LOG_LEVEL: 'info',
      ...o.env,
    };
    const dist = o.bundle.dist;
    await run('docker', [
      ...createOnManager(service),
      ...o.networks.flatMap((n) => ['--network', n]),
      '--publish',
      `mode=host,target=8080,published=${port}`,
      '--mount',
      'type=bind,src=/var/run/docker.sock,dst=/var/run/docker.sock',
      '--mount',
      `type=bind,src=${dist}/server.mjs,dst=/opt/boxroom/server.mjs,readonly`,
      '--mount',
      `type=bind,src=${dist}/server.mjs.map,dst=/opt/boxroom/server.mjs.map,readonly`,
      // as the image's user, in the socket's group (a service cannot drop what the entrypoint
      // needs root for); /data is the image's volume, the user's, removed with the task
      '--user',
      '1000:1000',
      '--group',
      String(statSync('/var/run/docker.sock').gid),
      ...Object.entries(o.secrets).flatMap(([target, source]) => [
        '--secret',
        `source=${source},target=${target},uid=1000,gid=1000,mode=0400`,
      ]),
      '--restart-condition',
      'none',
      // the test asks /healthz itself; the image's 10 s check would only delay `running`
      '--no-healthcheck',
      ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
      o.bundle.image,
    ]);
    const d = new SwarmDashboard(service, port, o.adminToken);
    await until(
      () =>
        fetch(`${d.url}/healthz`).then(
          (r) => r.ok,
          () => false,
        ),
      60_000,
      `the ${o.name} service to answer /healthz`,
    ).catch(async (err: unknown) => {
      const logs = await d.logs();
      await d.dispose(); // nobody else has it to dispose of
      throw new Error(`${(err as Error).message}\n${logs}`);
    });
    return d;
  }

  api<T = unknown>(method: string, path: string, body?: unknown, token = this.adminToken) {
    return callApi<T>(this.url, method, path, body, token);
  }

  async logs(): Promise<string> {
    const { stdout, stderr } = await run('docker', ['service', 'logs', '--raw', this.service], {
      maxBuffer: 32 * 1024 * 1024,
    }).catch(() => ({ stdout: '', stderr: '' }));
    return stdout + stderr;
  }

  /** The running task's container (on the manager, where every replica is placed). */
  async container(): Promise<string> {
    const c = await taskContainer(this.service);
    if (!c) throw new Error(`${this.service} has no running container`);
    return c;
  }

  /** SIGKILL to its container, as a crash: nothing is released, nothing restarts it. */
  async crash(): Promise<void> {
    await run('docker', ['kill', '--signal', 'KILL', await this.container()]);
  }

  /** Its rooms deleted through the API (best effort: a crashed one answers nothing), then the service. */
  async dispose(): Promise<void> {
    const listed = await this.api<{ rooms: Array<{ id: string }> }>('GET', '/api/rooms').catch(() => null);
    for (const r of listed?.body?.rooms ?? [])
      await this.api('DELETE', `/api/rooms/${r.id}`).catch(() => undefined);
    await run('docker', ['service', 'rm', this.service]).catch(() => undefined);
  }
}
