/**
 * Real Xvfb + x11vnc for the input integration test (test support, not product code: the supervisor
 * owns the product's processes). Readiness is observed by connecting, and cleanup kills only the PIDs
 * started here.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { x11vncArgv } from '../desktop/argv.js';
import { newCookie, xauthorityEntry } from '../desktop/xauthority.js';
import { until } from './input-test-support.js';

const run = promisify(execFile);

export interface X11Fixture {
  display: number;
  /** x11vnc's unix socket, as the room runs it (no TCP listener) */
  vncSocket: string;
  /** the Xauthority file with the display's cookie (Xvfb runs with -auth, as in a room) */
  xauthority: string;
  /** runs an X client (xdotool, xinput, ...) against this display; resolves with its stdout */
  x(cmd: string, ...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

function canConnectUnix(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ path });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited(child);
  clearTimeout(timer);
}

/** Starts Xvfb on the first free display from `firstDisplay`, then x11vnc as the room runs it (input only). */
export async function startX11(firstDisplay = 160): Promise<X11Fixture> {
  const children: ChildProcess[] = [];
  const log: string[] = [];
  const killAll = () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  };
  process.once('exit', killAll);
  const dir = mkdtempSync(join(tmpdir(), 'boxroom-x11-fixture-'));
  const xauthority = join(dir, 'xauthority');
  const vncSocket = join(dir, 'vnc.sock');
  const stop = async () => {
    for (const c of [...children].reverse()) await kill(c);
    process.off('exit', killAll);
    rmSync(dir, { recursive: true, force: true });
  };
  const keep = (name: string, child: ChildProcess) => {
    children.push(child);
    const note = (d: Buffer) => {
      if (log.length < 200) log.push(`${name}: ${d.toString().trimEnd()}`);
    };
    child.on('error', (err) => note(Buffer.from(String(err))));
    child.stdout?.on('data', note);
    child.stderr?.on('data', note);
  };
  try {
    let display = -1;
    for (let n = firstDisplay; n < firstDisplay + 40 && display < 0; n++) {
      if (existsSync(`/tmp/.X${n}-lock`) || existsSync(`/tmp/.X11-unix/X${n}`)) continue;
      writeFileSync(xauthority, xauthorityEntry(n, newCookie()), { mode: 0o600 });
      const xvfb = spawn(
        'Xvfb',
        [`:${n}`, '-auth', xauthority, '-screen', '0', '1280x720x24', '-nolisten', 'tcp'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      keep('Xvfb', xvfb);
      const sock = `/tmp/.X11-unix/X${n}`;
      // another process may grab the same display between the check and the spawn: then Xvfb exits
      await until(
        async () => xvfb.exitCode !== null || (existsSync(sock) && (await canConnectUnix(sock))),
        `Xvfb :${n}`,
        10_000,
        20,
      );
      if (xvfb.exitCode === null) display = n;
    }
    if (display < 0) throw new Error(`no free X display from :${firstDisplay}`);

    const env = { ...process.env, DISPLAY: `:${display}`, XAUTHORITY: xauthority };
    // the room's own command line, so the gate is tested against the x11vnc the room runs
    const { command, args } = x11vncArgv({ display, socketPath: vncSocket });
    const vnc = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    keep('x11vnc', vnc);
    await until(
      async () => {
        if (vnc.exitCode !== null) throw new Error(`x11vnc exited (${vnc.exitCode}):\n${log.join('\n')}`);
        return existsSync(vncSocket) && (await canConnectUnix(vncSocket));
      },
      `x11vnc on ${vncSocket}`,
      15_000,
      50,
    );

    const x = async (cmd: string, ...a: string[]) => (await run(cmd, a, { env })).stdout;
    return { display, vncSocket, xauthority, x, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
