import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

/** A TCP port free on 127.0.0.1 right now (the OS picks it; a small race with other programs remains). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/** A port not already given to another room, in case the OS hands one out twice in a row. */
export async function freePortExcept(taken: ReadonlySet<number>): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await freePort();
    if (!taken.has(port)) return port;
  }
  throw new Error('could not find a free port');
}

export function displayInUse(n: number, tmp = '/tmp'): boolean {
  return existsSync(`${tmp}/.X${n}-lock`) || existsSync(`${tmp}/.X11-unix/X${n}`);
}

const DISPLAY_SEARCH = 1000;
const VNC_BASE_PORT = 5900;

/**
 * The first X display from `base` up that no X server holds (no lock file, no socket), that no other
 * room has, and whose VNC port (5900 + n, where the agent's x11vnc listens) is free.
 */
export async function freeDisplay(base: number, taken: ReadonlySet<number>, tmp = '/tmp'): Promise<number> {
  for (let n = base; n < base + DISPLAY_SEARCH; n++) {
    if (taken.has(n) || displayInUse(n, tmp)) continue;
    if (VNC_BASE_PORT + n > 65535 || !(await portIsFree(VNC_BASE_PORT + n))) continue;
    return n;
  }
  throw new Error(`no free X display in ${base}..${base + DISPLAY_SEARCH - 1}`);
}
