import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, sleep, waitForExit } from '../support/processes.js';

export const REPO = join(import.meta.dirname, '..', '..');

export interface Dashboard {
  url: string;
  port: number;
  adminToken: string;
  dataDir: string;
  child: ChildProcess;
  log: () => string;
  /** the X display of a room (local driver state file) */
  displayOf(roomId: string): number;
  stop(): Promise<void>;
}

/** Builds the web UI (the globalSetup builds the Node bundles). */
export function buildWeb(): void {
  execFileSync('npm', ['run', 'build', '-w', 'web'], { cwd: REPO, stdio: 'ignore' });
}

/** The real dashboard with the local driver, on a free port, in a temporary data directory. */
export async function startDashboard(publicUrl: (port: number) => Promise<string>): Promise<Dashboard> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'boxroom-e2e-'));
  const adminToken = `e2e-admin-${Math.random().toString(36).slice(2)}-token`;
  let out = '';
  const child = spawn(process.execPath, [join(REPO, 'dashboard/dist/server.mjs')], {
    cwd: REPO,
    env: {
      ...process.env,
      BOXROOM_DRIVER: 'local',
      BOXROOM_PORT: String(port),
      BOXROOM_HOST: '127.0.0.1',
      BOXROOM_DATA_DIR: dataDir,
      BOXROOM_ADMIN_TOKEN: adminToken,
      BOXROOM_PUBLIC_URL: await publicUrl(port),
      BOXROOM_LOG_LEVEL: process.env.BOXROOM_E2E_LOG_LEVEL ?? 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (d: Buffer) => (out = (out + d).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dashboard exited: ${out}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`dashboard did not start: ${out}`);
    await sleep(100);
  }
  return {
    url,
    port,
    adminToken,
    dataDir,
    child,
    log: () => out,
    displayOf(roomId) {
      const state = JSON.parse(readFileSync(join(dataDir, 'local', 'rooms.json'), 'utf8')) as {
        rooms: Array<{ spec: { id: string }; display: number }>;
      };
      const r = state.rooms.find((x) => x.spec.id === roomId);
      if (!r) throw new Error(`room ${roomId} not in the local state file`);
      return r.display;
    },
    async stop() {
      // rooms outlive the dashboard: any the test did not delete are stopped here, by their group id
      try {
        const state = JSON.parse(readFileSync(join(dataDir, 'local', 'rooms.json'), 'utf8')) as {
          rooms: Array<{ pid: number | null }>;
        };
        for (const r of state.rooms) if (r.pid) killGroup(r.pid);
      } catch {
        // no state file: no rooms
      }
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await waitForExit(child, 10_000).catch(() => {
          child.kill('SIGKILL');
        });
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {
    // already gone
  }
}

/** DELETE every room of the dashboard (rooms outlive it; the local driver stops their processes). */
export async function deleteAllRooms(d: Dashboard): Promise<void> {
  const headers = { authorization: `Bearer ${d.adminToken}` };
  const res = await fetch(`${d.url}/api/rooms`, { headers }).catch(() => null);
  if (!res?.ok) return;
  const { rooms } = (await res.json()) as { rooms: Array<{ id: string }> };
  await Promise.all(
    rooms.map((r) => fetch(`${d.url}/api/rooms/${r.id}`, { method: 'DELETE', headers }).catch(() => {})),
  );
}
