import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentHealth, Role } from '@boxroom/contracts';
import { makeKeys, signToken, type TestKeys } from './keys.js';
import { freeDisplay, freePort } from './processes.js';

export const AGENT_BUNDLE = 'room-agent/dist/room-agent.mjs';

export interface RunningAgent {
  roomId: string;
  url: string;
  wsUrl: string;
  port: number;
  display: number;
  keys: TestKeys;
  /** the agent's private dir (BOXROOM_RUN_DIR) */
  runDir: string;
  /** the X cookie the agent made for this start: `<runDir>/xauthority` (root-readable only) */
  xauthority: string;
  /** environment for an X client on the room's display (DISPLAY and XAUTHORITY set) */
  xEnv(): NodeJS.ProcessEnv;
  proc: ChildProcess;
  output: () => string;
  token(sub: string, role: Role, name?: string): Promise<string>;
  health(): Promise<{ status: number; body: AgentHealth }>;
  waitHealthy(timeoutMs?: number): Promise<AgentHealth>;
  /** SIGTERM; resolves with the ms it took to exit */
  stop(): Promise<number>;
}

export interface StartAgentOptions {
  /** a command that execs the agent, e.g. setpriv with a capability bounding set (keeps the pid) */
  wrapper?: string[];
}

/** Starts the real room agent bundle, as the local driver does. */
export async function startAgent(
  env: Record<string, string> = {},
  opts: StartAgentOptions = {},
): Promise<RunningAgent> {
  const keys = makeKeys();
  const dir = mkdtempSync(join(tmpdir(), 'boxroom-agent-test-'));
  const keyFile = join(dir, 'public.pem');
  writeFileSync(keyFile, keys.publicPem);
  const port = await freePort();
  const display = freeDisplay(Number(env.BOXROOM_DISPLAY ?? 120));
  const roomId = env.BOXROOM_ROOM_ID ?? `t${port}`;
  const runDir = env.BOXROOM_RUN_DIR ?? join(dir, 'run');
  const xauthority = join(runDir, 'xauthority');
  const [command, ...args] = [...(opts.wrapper ?? []), process.execPath, AGENT_BUNDLE];
  const proc = spawn(command!, args, {
    env: {
      ...process.env,
      BOXROOM_ROOM_ID: roomId,
      BOXROOM_AGENT_PORT: String(port),
      BOXROOM_DISPLAY: String(display),
      BOXROOM_PUBLIC_KEY_FILE: keyFile,
      BOXROOM_RUN_DIR: runDir,
      BOXROOM_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-200_000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;

  const agent: RunningAgent = {
    roomId,
    url,
    wsUrl: `ws://127.0.0.1:${port}`,
    port,
    display,
    keys,
    runDir,
    xauthority,
    xEnv: () => ({ ...process.env, DISPLAY: `:${display}`, XAUTHORITY: xauthority }),
    proc,
    output: () => out,
    token: (sub, role, name) => signToken(keys, { room: roomId, sub, role, name: name ?? sub }),
    async health() {
      const res = await fetch(`${url}/healthz`);
      return { status: res.status, body: (await res.json()) as AgentHealth };
    },
    async waitHealthy(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let last: unknown = null;
      while (Date.now() < deadline) {
        if (proc.exitCode !== null) throw new Error(`agent exited (${proc.exitCode}):\n${out.slice(-4000)}`);
        try {
          const h = await agent.health();
          last = h.body;
          if (h.status === 200) return h.body;
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(
        `agent not healthy after ${timeoutMs} ms: ${JSON.stringify(last)}\n${out.slice(-4000)}`,
      );
    },
    async stop() {
      const t0 = Date.now();
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const killer = setTimeout(() => {
          try {
            process.kill(-proc.pid!, 'SIGKILL');
          } catch {
            // already gone
          }
        }, 10_000);
        await exited;
        clearTimeout(killer);
      }
      const ms = Date.now() - t0;
      rmSync(dir, { recursive: true, force: true });
      return ms;
    },
  };
  return agent;
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
