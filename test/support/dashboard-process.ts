import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchDashboard } from './contract-check.js';
import { freePort } from './processes.js';
import { findRepoRoot } from './repo-root.js';

export const REPO = findRepoRoot();
export const DASHBOARD_BUNDLE = join(REPO, 'dashboard/dist/server.mjs');

/** What the local driver's state file says about one room (dashboard/src/drivers/local/local-state.ts). */
export interface LocalRoom {
  /** the agent's pid, which leads its own process group */
  pid: number | null;
  /** the agent's port on 127.0.0.1 */
  port: number;
  display: number;
  runDir: string;
}

export interface DashboardOptions {
  driver: 'local' | 'docker';
  /** reuse a data dir, e.g. to restart a dashboard over the rooms of an earlier one */
  dataDir?: string;
  port?: number;
  env?: Record<string, string>;
  /** the dashboard serves TLS itself (pass BOXROOM_TLS_CERT / _KEY in env): its URL is https:// */
  https?: boolean;
  /** the operator token (default: one of its own); replicas of one deployment share theirs */
  adminToken?: string;
}

/** A real dashboard process (the bundle `npm start` runs), as a user starts it. */
/** One API call with a bearer token, JSON in and out: `{ status, body }` (null body when empty). */
export async function callApi<T = unknown>(
  base: string,
  method: string,
  path: string,
  body: unknown,
  token: string,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

export class DashboardProcess {
  readonly adminToken: string;
  readonly url: string;
  private proc: ChildProcess | null = null;
  private out = '';
  private readonly ownsDataDir: boolean;
  readonly dataDir: string;

  private constructor(
    readonly port: number,
    private readonly opts: DashboardOptions,
  ) {
    this.url = `${opts.https ? 'https' : 'http'}://127.0.0.1:${port}`;
    this.adminToken = opts.adminToken ?? `test-admin-${process.pid}-${Date.now()}`;
    // what it answers the tests is checked against the contracts (contract-intercept.ts)
    watchDashboard(this.url);
    this.ownsDataDir = !opts.dataDir;
    this.dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'boxroom-dash-test-'));
  }

  static async start(opts: DashboardOptions): Promise<DashboardProcess> {
    const d = new DashboardProcess(opts.port ?? (await freePort()), opts);
    await d.restart();
    return d;
  }

  output(): string {
    return this.out;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** Starts (again) on the same port and data dir; resolves once /healthz answers. */
  async restart(): Promise<void> {
    await this.stop();
    this.proc = spawn(process.execPath, [DASHBOARD_BUNDLE], {
      cwd: REPO,
      env: {
        ...process.env,
        BOXROOM_PORT: String(this.port),
        BOXROOM_HOST: '127.0.0.1',
        BOXROOM_DATA_DIR: this.dataDir,
        BOXROOM_ADMIN_TOKEN: this.adminToken,
        BOXROOM_DRIVER: this.opts.driver,
        BOXROOM_PUBLIC_URL: this.url,
        // tests count the rooms they make: the warm pool is for those that ask (BOXROOM_POOL in env)
        BOXROOM_POOL: '0',
        ...this.opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (b: Buffer) => {
      this.out = (this.out + b.toString()).slice(-100_000);
    };
    this.proc.stdout!.on('data', keep);
    this.proc.stderr!.on('data', keep);
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (this.proc.exitCode !== null) throw new Error(`dashboard exited:\n${this.out.slice(-3000)}`);
      try {
        if ((await fetch(`${this.url}/healthz`)).ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`dashboard not up in 20 s:\n${this.out.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** SIGKILL, as a crash: the dashboard cleans nothing up; its rooms keep running. `restart()` after. */
  crash(): Promise<void> {
    return this.end('SIGKILL');
  }

  /** SIGTERM, then SIGKILL after 10 s. Rooms keep running (the runtime is the database). */
  stop(): Promise<void> {
    return this.end('SIGTERM');
  }

  private async end(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill(signal);
    const t = signal === 'SIGTERM' ? setTimeout(() => p.kill('SIGKILL'), 10_000) : undefined;
    await exited;
    clearTimeout(t);
  }

  api<T = unknown>(method: string, path: string, body?: unknown, token = this.adminToken) {
    return callApi<T>(this.url, method, path, body, token);
  }

  /** POST /api/rooms with `spec`, then polls until the room is `ready`: its id and invite links. */
  async createReadyRoom(
    spec: Record<string, unknown>,
    timeoutMs = 30_000,
  ): Promise<{ id: string; links: { participant: string; viewer: string } }> {
    const created = await this.api<{ id: string; links: { participant: string; viewer: string } }>(
      'POST',
      '/api/rooms',
      spec,
    );
    if (created.status !== 201 && created.status !== 200)
      throw new Error(`POST /api/rooms: ${created.status} ${JSON.stringify(created.body)}`);
    const { id } = created.body;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // held while the room starts: answered the moment its status moves (GET /api/rooms/:id?wait=)
      const wait = Math.max(1, Math.min(20_000, deadline - Date.now()));
      const { status } = (await this.api<{ status: string }>('GET', `/api/rooms/${id}?wait=${wait}`)).body;
      if (status === 'ready') return created.body;
      if (Date.now() > deadline) throw new Error(`room ${id} not ready after ${timeoutMs} ms (${status})`);
      // failed (it may come back) or stopping: answered at once, so not asked in a tight loop
      if (status !== 'starting') await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** A room of the local driver, from its state file (rooms outlive the dashboard process). */
  localRoom(roomId: string): LocalRoom {
    const r = this.localRooms().find((x) => x.id === roomId);
    if (!r) throw new Error(`room ${roomId} not in the local driver's state file`);
    return r;
  }

  /** The X display of a room of the local driver. */
  displayOf(roomId: string): number {
    return this.localRoom(roomId).display;
  }

  private localRooms(): Array<LocalRoom & { id: string }> {
    try {
      const state = JSON.parse(readFileSync(join(this.dataDir, 'local', 'rooms.json'), 'utf8')) as {
        rooms: Array<LocalRoom & { spec: { id: string } }>;
      };
      return state.rooms.map((r) => ({ ...r, id: r.spec.id }));
    } catch {
      return []; // no state file: no rooms
    }
  }

  /** DELETE every room through the API (the driver stops their processes or containers). */
  async deleteAllRooms(): Promise<void> {
    const res = await fetch(`${this.url}/api/rooms`, {
      headers: { authorization: `Bearer ${this.adminToken}` },
    }).catch(() => null);
    if (!res?.ok) return;
    const { rooms } = (await res.json()) as { rooms: Array<{ id: string }> };
    await Promise.all(rooms.map((r) => this.api('DELETE', `/api/rooms/${r.id}`).catch(() => {})));
  }

  /** The end of a test file: its rooms deleted through the API, then `dispose({ killRooms: true })`. */
  async teardown(): Promise<void> {
    await this.deleteAllRooms();
    await this.dispose({ killRooms: true });
  }

  /**
   * Stops the dashboard; with `killRooms`, also SIGTERMs the process group of every local room still in
   * the state file (a test that failed before deleting its rooms must not leave desktops running).
   */
  async dispose(opts: { killRooms?: boolean } = {}): Promise<void> {
    await this.stop();
    if (opts.killRooms) {
      for (const r of this.localRooms()) {
        if (!r.pid) continue;
        try {
          process.kill(-r.pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
    }
    if (!this.ownsDataDir) return;
    rmSync(this.dataDir, { recursive: true, force: true });
    // the local driver's profiles (BOXROOM_LOCAL_PROFILES_DIR's default) are kept beside it
    rmSync(`${this.dataDir}-profiles`, { recursive: true, force: true });
  }
}
