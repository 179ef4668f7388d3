import { spawn } from 'node:child_process';
import type { DesktopUser } from './desktop-user.js';

/**
 * Run as the desktop user (never as the agent): with `kill`, kill(-1, SIGKILL) twice ends every
 * process of that uid (kill(2) with pid -1 reaches every process the caller may signal, the caller
 * excepted; the second round catches a child forked while the first was delivered). Then the given
 * dirs are emptied: files the desktop left in its home (a .bashrc, an autostart entry) must not start
 * a former controller's program again. `chmod -R u+rwx` first, so a dir it made unreadable goes too.
 * It refuses to run as root (exit 3), whatever the caller checked.
 */
const SWEEP_SCRIPT = `
[ "$(id -u)" -ne 0 ] || exit 3
if [ "$1" = kill ]; then kill -s KILL -- -1 2>/dev/null; kill -s KILL -- -1 2>/dev/null; fi
shift
for d in "$@"; do
  [ -d "$d" ] || continue
  chmod -R u+rwx "$d" 2>/dev/null
  find "$d" -mindepth 1 -delete 2>/dev/null
done
exit 0
`;

export class DesktopSweepError extends Error {
  override name = 'DesktopSweepError';
}

export interface SweepOptions {
  /** end every process of the desktop uid first */
  kill: boolean;
  /** dirs to empty (they stay, empty) */
  empty: readonly string[];
  timeoutMs?: number;
}

/**
 * Ends the desktop user's processes and/or empties its dirs, as that user. Refuses a uid that is root
 * or the agent's own: kill(-1) from there would end the agent and everything else it may signal.
 */
export function sweepAsDesktop(user: DesktopUser, o: SweepOptions): Promise<void> {
  const self = process.getuid?.();
  if (user.uid === 0 || user.uid === self || user.gid === 0)
    return Promise.reject(new DesktopSweepError(`refusing to sweep as uid ${user.uid}: not a separate user`));
  const timeoutMs = o.timeoutMs ?? 5_000;
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', SWEEP_SCRIPT, 'sweep', o.kill ? 'kill' : 'keep', ...o.empty], {
      uid: user.uid,
      gid: user.gid,
      cwd: '/',
      env: { PATH: '/usr/bin:/bin', HOME: '/', LANG: 'C' },
      stdio: 'ignore',
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new DesktopSweepError(`cannot run the sweep as ${user.name}: ${err.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new DesktopSweepError(`sweep as ${user.name} ended with ${signal ?? `code ${code}`}`));
    });
  });
}
