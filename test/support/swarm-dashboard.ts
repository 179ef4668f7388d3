import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { until } from './agent-helpers.js';
import { callApi, REPO } from './dashboard-process.js';
import { freePort } from './processes.js';

const run = promisify(execFile);

export interface SwarmDashboardOptions {
  /** names the service, the rooms' instance label */
  prefix: string;
  /** the attachable overlay the dashboard and the rooms share */
  network: string;
  roomImage: string;
  adminToken: string;
  env?: Record<string, string>;
}

/**
 * The dashboard as a swarm service on the manager: the boxroom/dashboard image (node, entrypoint,
 * web UI) running this checkout's dashboard bundle, bind-mounted, so the test needs no image build
 * to run the current code. On the rooms' overlay (it reaches agents there by service name), its port
 * published in `mode: host` (no ingress mesh: this kernel has no IPVS), the engine's socket mounted.
 */
export class SwarmDashboard {
  private constructor(
    readonly service: string,
    readonly port: number,
    readonly adminToken: string,
    private readonly bundleDir: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(o: SwarmDashboardOptions): Promise<SwarmDashboard> {
    const image = process.env.DASHBOARD_IMAGE || 'boxroom/dashboard:latest';
    const hasImage = await run('docker', ['image', 'inspect', image]).then(
      () => true,
      () => false,
    );
    if (!hasImage)
      await run('bash', ['scripts/images.sh'], {
        cwd: REPO,
        env: { ...process.env, DASHBOARD_IMAGE: image },
        timeout: 900_000,
      });
    const bundleDir = await mkdtemp(join(tmpdir(), 'boxroom-swarm-dash-'));
    try {
      return await SwarmDashboard.run(o, image, bundleDir);
    } catch (err) {
      await rm(bundleDir, { recursive: true, force: true });
      throw err;
    }
  }

  private static async run(
    o: SwarmDashboardOptions,
    image: string,
    bundleDir: string,
  ): Promise<SwarmDashboard> {
    // one file with its dependencies, as the image's own (scripts/images.sh builds it so)
    await run(
      process.execPath,
      ['scripts/build.mjs', '--standalone', '--only=dashboard', `--outdir=${bundleDir}`],
      {
        cwd: REPO,
        timeout: 120_000,
      },
    );
    const port = await freePort();
    const service = `${o.prefix}-dashboard`;
    // the admin token as a swarm secret (the entrypoint reads BOXROOM_ADMIN_TOKEN_FILE), by stdin:
    // never on a command line, where `ps` would show it
    const secret = `${service}-admin-token`;
    const creating = run('docker', ['secret', 'create', secret, '-']);
    creating.child.stdin?.end(o.adminToken);
    await creating;
    const env = {
      BOXROOM_DRIVER: 'swarm',
      BOXROOM_DOCKER_INSTANCE: o.prefix,
      BOXROOM_DOCKER_IMAGE: o.roomImage,
      BOXROOM_SWARM_NETWORK: o.network,
      BOXROOM_ADMIN_TOKEN_FILE: '/run/secrets/admin-token',
      BOXROOM_LOG_LEVEL: 'info',
      ...o.env,
    };
    const dist = join(bundleDir, 'dashboard/dist');
    await run('docker', [
      'service',
      'create',
      '--detach',
      '--name',
      service,
      '--constraint',
      'node.role==manager',
      '--network',
      o.network,
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
      '--secret',
      `source=${secret},target=admin-token,uid=1000,gid=1000,mode=0400`,
      '--restart-condition',
      'none',
      // the test asks /healthz itself; the image's 10 s check would only delay `running`
      '--no-healthcheck',
      ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
      image,
    ]);
    const d = new SwarmDashboard(service, port, o.adminToken, bundleDir);
    await until(
      () =>
        fetch(`${d.url}/healthz`).then(
          (r) => r.ok,
          () => false,
        ),
      60_000,
      'the dashboard service to answer /healthz',
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

  /** Its rooms deleted through the API (best effort), then the service and the bundle. */
  async dispose(): Promise<void> {
    const listed = await this.api<{ rooms: Array<{ id: string }> }>('GET', '/api/rooms').catch(() => null);
    for (const r of listed?.body?.rooms ?? [])
      await this.api('DELETE', `/api/rooms/${r.id}`).catch(() => undefined);
    await run('docker', ['service', 'rm', this.service]).catch(() => undefined);
    await run('docker', ['secret', 'rm', `${this.service}-admin-token`]).catch(() => undefined);
    await rm(this.bundleDir, { recursive: true, force: true });
  }
}
