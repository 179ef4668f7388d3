import { setTimeout as sleep } from 'node:timers/promises';

/** Does a process (or, with a negative id, a process group) exist? Signal 0 checks without sending. */
function exists(id: number): boolean {
  try {
    process.kill(id, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const processAlive = (pid: number): boolean => pid > 0 && exists(pid);
export const groupAlive = (pgid: number): boolean => pgid > 0 && exists(-pgid);

export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  if (pgid <= 1) return false; // never signal init's group or "every process"
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Resolves true when no member of the group is left, false on timeout. */
export async function waitGroupGone(pgid: number, timeoutMs: number, pollMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(pgid)) {
    if (Date.now() >= deadline) return false;
    await sleep(pollMs);
  }
  return true;
}

/**
 * SIGTERM the whole group (the agent stops its children within 5 s), then SIGKILL whatever is left.
 * Resolves when the group is gone, or after the kill grace.
 */
export async function stopGroup(
  pgid: number,
  termTimeoutMs: number,
  killGraceMs = 2000,
): Promise<'term' | 'kill' | 'stuck'> {
  if (!groupAlive(pgid)) return 'term';
  signalGroup(pgid, 'SIGTERM');
  if (await waitGroupGone(pgid, termTimeoutMs)) return 'term';
  signalGroup(pgid, 'SIGKILL');
  return (await waitGroupGone(pgid, killGraceMs)) ? 'kill' : 'stuck';
}
