import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort, sleep, waitForExit } from './processes.js';

const run = promisify(execFile);

/** The superuser of every test cluster (trust authentication: loopback and its own socket only). */
export const TEST_CLUSTER_USER = 'boxroom';

/**
 * A throwaway PostgreSQL cluster: initdb into a temporary directory, the server on a unix socket in
 * it and on a free loopback port, durability off (it lives for one test file). PostgreSQL refuses to
 * run as root, so as root it runs as `nobody`. `stop()` ends it by PID and removes the directory.
 */
export interface PostgresCluster {
  readonly port: number;
  /** holds the data directory and the server's unix socket */
  readonly dir: string;
  /** pid of the postmaster */
  readonly pid: number;
  /** `postgresql://boxroom@127.0.0.1:<port>/<database>` */
  url(database?: string): string;
  /** Creates an empty database (a fresh name unless given) and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  stop(): Promise<void>;
}

/** Debian's server binaries: BOXROOM_PG_BIN, else the newest /usr/lib/postgresql/<version>/bin. */
export function postgresBinDir(): string {
  const given = process.env.BOXROOM_PG_BIN;
  if (given) return given;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions[0]) {
    throw new Error(
      'PostgreSQL server binaries not found under /usr/lib/postgresql (Debian package `postgresql`; ' +
        '`bash scripts/setup.sh test` installs it) and BOXROOM_PG_BIN is unset',
    );
  }
  return join(root, versions[0], 'bin');
}

/** Who the cluster runs as: root cannot, so `nobody`; anyone else as themselves. */
function clusterUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

let databases = 0;

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  const user = clusterUser();
  const dir = mkdtempSync(join(tmpdir(), 'boxroom-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  // A minimal environment: the server must not inherit the test's variables (or a root HOME).
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' };
  let server: ChildProcess | undefined;
  let stderr = '';
  const cleanup = () => {
    if (server?.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  // A test process that dies without its afterAll still leaves no server behind.
  process.once('exit', cleanup);
  try {
    await run(
      join(bin, 'initdb'),
      ['-D', data, '-U', TEST_CLUSTER_USER, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
      { cwd: dir, env, ...user },
    );
    const port = await freePort();
    server = spawn(
      join(bin, 'postgres'),
      [
        ...['-D', data, '-k', dir, '-p', String(port), '-h', '127.0.0.1'],
        ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
        ...['-c', 'max_connections=60', '-c', 'shared_buffers=16MB'],
      ],
      { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'], ...user },
    );
    server.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4096)));
    const pid = server.pid!;
    const url = (database = 'postgres') => `postgresql://${TEST_CLUSTER_USER}@127.0.0.1:${port}/${database}`;
    await waitReady(url(), server, () => stderr);
    const started = server;
    return {
      port,
      dir,
      pid,
      url,
      async createDatabase(name = `t${process.pid}_${++databases}_${randomBytes(3).toString('hex')}`) {
        const client = new pg.Client({ connectionString: url() });
        await client.connect();
        try {
          await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
        } finally {
          await client.end();
        }
        return url(name);
      },
      async stop() {
        process.removeListener('exit', cleanup);
        // SIGINT: the fast shutdown, which ends the sessions still open instead of waiting for them.
        if (started.exitCode === null && started.signalCode === null) {
          started.kill('SIGINT');
          await waitForExit(started, 10_000).catch(() => {
            started.kill('SIGKILL');
            return waitForExit(started, 5_000);
          });
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    process.removeListener('exit', cleanup);
    cleanup();
    throw new Error(`test PostgreSQL cluster did not start: ${(err as Error).message}\n${stderr}`, {
      cause: err,
    });
  }
}

async function waitReady(url: string, server: ChildProcess, stderr: () => string): Promise<void> {
  const until = Date.now() + 30_000;
  for (;;) {
    if (server.exitCode !== null || server.signalCode !== null)
      throw new Error(`postgres exited: ${stderr()}`);
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (Date.now() > until) throw err;
      await sleep(50);
    }
  }
}
