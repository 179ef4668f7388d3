import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AGENT_PORT } from '../../dashboard/src/drivers/docker/options.js';
import type { DashboardProcess } from '../../test/support/dashboard-process.js';
import { localPulseServer } from '../../test/support/room-sound.js';
import { processTree } from './proc-stats.js';
import type { ScreenTarget } from './screen-probe.js';

const run = promisify(execFile);

/** What the bench needs of a running room besides its URLs: its screen and its processes. */
export interface RoomRuntime {
  screen: ScreenTarget;
  /** where the dashboard reaches the room's agent (its GET /metrics with a dashboard token) */
  agentUrl: string;
  /** the room agent (Node): media server, fan-out, input gate */
  agentPids(): Promise<number[]>;
  /** every process of the room: agent, Xvfb, PulseAudio, openbox, the app, x11vnc, ffmpeg */
  allPids(): Promise<number[]>;
  /** PULSE_SERVER for the room's own PulseAudio, reached from this host (pacat, parec) */
  pulseServer(): Promise<string>;
}

export async function roomRuntime(
  dash: DashboardProcess,
  driver: 'local' | 'docker',
  roomId: string,
): Promise<RoomRuntime> {
  if (driver === 'local') {
    const r = dash.localRoom(roomId);
    const agent = r.pid!;
    return {
      screen: { kind: 'local', display: r.display, xauthority: join(r.runDir, 'xauthority') },
      agentUrl: `http://127.0.0.1:${r.port}`,
      agentPids: async () => [agent],
      pulseServer: async () => localPulseServer(agent),
      async allPids() {
        // the agent's /healthz names its supervised processes; the tree adds what they started (bash)
        const pids = new Set(processTree(agent));
        try {
          const h = (await (await fetch(`http://127.0.0.1:${r.port}/healthz`)).json()) as {
            processes: Array<{ pid: number | null }>;
          };
          for (const p of h.processes) if (p.pid) for (const x of processTree(p.pid)) pids.add(x);
        } catch {
          // between restarts: the tree is enough
        }
        return [...pids];
      },
    };
  }
  const container = await roomContainer(roomId);
  if (!container) throw new Error(`no container for room ${roomId}`);
  const env = JSON.parse(
    (await run('docker', ['inspect', '-f', '{{json .Config.Env}}', container])).stdout,
  ) as string[];
  const display = Number(env.find((e) => e.startsWith('BOXROOM_DISPLAY='))?.split('=')[1] ?? 99);
  const runDir = env.find((e) => e.startsWith('BOXROOM_RUN_DIR='))?.split('=')[1] ?? '/run/room';
  const top = () => dockerTop(container);
  return {
    screen: { kind: 'docker', container, display, xauthority: `${runDir}/xauthority` },
    agentUrl: await containerAgentUrl(container),
    agentPids: async () => (await top()).filter((p) => p.comm === 'node').map((p) => p.pid),
    allPids: async () => (await top()).map((p) => p.pid),
    async pulseServer() {
      // the socket is inside the container: reached through the agent's root (the daemon lets
      // anyone who can open the socket in, as it does the room's own programs)
      const agent = (await top()).find((p) => p.comm === 'node');
      if (!agent) throw new Error(`no agent process in container ${container}`);
      return localPulseServer(agent.pid).replace(/^unix:/, `unix:/proc/${agent.pid}/root`);
    },
  };
}

/** The agent port of a container, as the docker driver reaches it: published on the host, or its address. */
async function containerAgentUrl(container: string): Promise<string> {
  const net = JSON.parse(
    (await run('docker', ['inspect', '-f', '{{json .NetworkSettings}}', container])).stdout,
  ) as {
    Ports?: Record<string, Array<{ HostIp: string; HostPort: string }> | null>;
    Networks?: Record<string, { IPAddress?: string }>;
  };
  const bound = net.Ports?.[`${AGENT_PORT}/tcp`]?.[0];
  if (bound) return `http://${bound.HostIp === '0.0.0.0' ? '127.0.0.1' : bound.HostIp}:${bound.HostPort}`;
  const ip = Object.values(net.Networks ?? {}).find((n) => n.IPAddress)?.IPAddress;
  if (!ip) throw new Error(`no address for the agent of container ${container}`);
  return `http://${ip}:${AGENT_PORT}`;
}

/** The container of a Docker room ('' when there is none). */
export async function roomContainer(roomId: string): Promise<string> {
  const { stdout } = await run('docker', [
    'ps',
    '-q',
    '--no-trunc',
    '--filter',
    `label=io.boxroom.room.id=${roomId}`,
  ]);
  return stdout.trim().split('\n')[0] ?? '';
}

/** Host pids and command names of a container's processes (the bench runs as root to signal them). */
export async function dockerTop(container: string): Promise<Array<{ pid: number; comm: string }>> {
  if (!container) return [];
  return (await run('docker', ['top', container, '-o', 'pid,comm'])).stdout
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .map(([pid, comm]) => ({ pid: Number(pid), comm: comm ?? '' }));
}
