import { readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';

/**
 * X servers claim display :N with /tmp/.X{N}-lock (the pid, as padded text) and listen on
 * /tmp/.X11-unix/X{N}. A server killed with SIGKILL (or a container restarted with a persistent /tmp)
 * leaves both behind and the next Xvfb refuses to start ("Server is already active for display N").
 */
export interface XLockPaths {
  /** where .X{N}-lock lives; default /tmp */
  lockDir?: string;
  /** where the X{N} sockets live; default /tmp/.X11-unix */
  socketDir?: string;
}

export class DisplayInUseError extends Error {
  override name = 'DisplayInUseError';
  constructor(
    readonly display: number,
    /** the lock holder, or 0 when only the socket answers */
    readonly pid: number,
  ) {
    super(
      `display :${display} is in use by a running X server${pid ? ` (pid ${pid})` : ''}; choose another display`,
    );
  }
}

function paths(display: number, p: XLockPaths = {}): { lock: string; socket: string } {
  return {
    lock: join(p.lockDir ?? '/tmp', `.X${display}-lock`),
    socket: join(p.socketDir ?? '/tmp/.X11-unix', `X${display}`),
  };
}

/** The pid in a lock file, or null when there is no lock (or it is unreadable garbage). */
async function lockPid(lockPath: string): Promise<number | null | 'absent'> {
  let text: string;
  try {
    text = await readFile(lockPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw err;
  }
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/**
 * Whether `pid` is a live X server. A pid that exists but is a zombie, or is some other program
 * (pids restart from 1 in a fresh container, so a stale lock's pid is often reused), does not count.
 */
export async function isLiveXServer(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false; // ESRCH: gone
  }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ...": comm may contain spaces or parens, so parse around the last ')'
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const state = stat.slice(close + 2, close + 3);
    if (state === 'Z' || state === 'X') return false;
    return /^X/.test(comm); // Xvfb, Xorg, X, Xvnc, Xephyr, Xwayland
  } catch {
    return true; // no /proc (or not ours to read): trust kill(0)
  }
}

/**
 * Removes a stale lock and socket for display :N before an X server starts there.
 * Throws DisplayInUseError when a live X server holds the lock. Returns whether anything was removed.
 */
export async function clearStaleXLock(display: number, p?: XLockPaths): Promise<boolean> {
  const { lock, socket } = paths(display, p);
  const pid = await lockPid(lock);
  if (typeof pid === 'number' && (await isLiveXServer(pid))) throw new DisplayInUseError(display, pid);
  if (pid === 'absent') {
    // no lock: a socket alone is stale unless something still answers on it
    if (await socketAnswers(socket)) throw new DisplayInUseError(display, 0);
    return rmIfPresent(socket);
  }
  await rm(lock, { force: true });
  await rm(socket, { force: true });
  return true;
}

async function rmIfPresent(path: string): Promise<boolean> {
  try {
    await rm(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ path });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Whether an X server could start on :N: no live lock holder and nothing answering on its socket.
 * Racy by nature (another server may claim it right after); the X server's own lock is the arbiter.
 */
export async function isDisplayFree(display: number, p?: XLockPaths): Promise<boolean> {
  const { lock, socket } = paths(display, p);
  const pid = await lockPid(lock);
  if (typeof pid === 'number' && (await isLiveXServer(pid))) return false;
  return !(await socketAnswers(socket));
}

/** The first free display in [from, to], or null. */
export async function findFreeDisplay(from: number, to: number, p?: XLockPaths): Promise<number | null> {
  for (let n = from; n <= to; n++) if (await isDisplayFree(n, p)) return n;
  return null;
}
