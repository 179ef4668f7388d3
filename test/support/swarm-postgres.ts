import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { until } from './agent-helpers.js';
import { sleep } from './processes.js';
import { createOnManager, taskContainer } from './swarm-services.js';

const run = promisify(execFile);
const PG_READY_MS = 60_000;
const PG_POLL_MS = 300;

export interface SwarmPostgresOptions {
  /** names the service */
  prefix: string;
  /** an overlay the dashboards join too (not the rooms': no room may reach the database) */
  network: string;
  /** the swarm secret holding the password of role boxroom */
  passwordSecret: string;
}

/**
 * PostgreSQL as a service on the manager, from the boxroom/postgres image as compose/stack.yaml runs
 * it (read-only root, no capability, the password from a secret file), its data on a tmpfs: the test
 * keeps nothing, and removing the service leaves no volume behind.
 */
export class SwarmPostgres {
  private constructor(readonly service: string) {}

  /** The dashboards' BOXROOM_DATABASE_URL: no password (BOXROOM_DATABASE_PASSWORD_FILE adds it). */
  get url(): string {
    return `postgresql://boxroom@${this.service}:5432/boxroom`;
  }

  static async start(o: SwarmPostgresOptions): Promise<SwarmPostgres> {
    const image = process.env.POSTGRES_IMAGE || 'boxroom/postgres:latest';
    const service = `${o.prefix}-postgres`;
    await run('docker', [
      ...createOnManager(service),
      '--network',
      o.network,
      '--endpoint-mode',
      'dnsrr',
      '--read-only',
      '--cap-drop',
      'ALL',
      '--secret',
      `source=${o.passwordSecret},target=pg_password,uid=999,gid=999,mode=0400`,
      '--env',
      'POSTGRES_PASSWORD_FILE=/run/secrets/pg_password',
      // a swarm tmpfs has no owner option: the data in a folder initdb makes inside /tmp (1777)
      '--env',
      'PGDATA=/tmp/pgdata',
      '--mount',
      'type=tmpfs,dst=/tmp,tmpfs-mode=01777',
      // the image's VOLUME, so that no anonymous volume is made for it
      '--mount',
      'type=tmpfs,dst=/var/lib/postgresql/data',
      '--restart-condition',
      'none',
      '--no-healthcheck',
      image,
    ]);
    const pg = new SwarmPostgres(service);
    // on TCP: the first start's private server has no TCP listener, only the real one answers.
    // Every 300 ms: each try is two docker CLI runs, on cores the image copy and initdb need.
    await until(
      async () => {
        const c = await taskContainer(service);
        const ready =
          c !== null &&
          (await run('docker', ['exec', c, 'pg_isready', '-q', '-h', '127.0.0.1']).then(
            () => true,
            () => false,
          ));
        if (!ready) await sleep(PG_POLL_MS);
        return ready;
      },
      PG_READY_MS,
      'PostgreSQL to accept connections',
    ).catch(async (err: unknown) => {
      const logs = await pg.logs();
      await pg.dispose();
      throw new Error(`${(err as Error).message}\n${logs}`);
    });
    return pg;
  }

  async logs(): Promise<string> {
    const { stdout, stderr } = await run('docker', ['service', 'logs', '--raw', this.service]).catch(() => ({
      stdout: '',
      stderr: '',
    }));
    return (stdout + stderr).slice(-4000);
  }

  async dispose(): Promise<void> {
    await run('docker', ['service', 'rm', this.service]).catch(() => undefined);
  }
}
