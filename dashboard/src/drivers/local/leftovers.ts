import { readdir, readFile } from 'node:fs/promises';

/**
 * Processes that belong to a room by their environment: the agent's supervised children run in
 * process groups of their own (so the agent can stop each one), and an agent killed with SIGKILL
 * leaves them behind holding the display and ports. The agent has BOXROOM_RUN_DIR; its children get
 * HOME and XDG_RUNTIME_DIR inside the run dir, which is unique per room and data dir, so strangers
 * never match. Linux only (/proc); elsewhere this finds nothing.
 */
export async function findRoomProcesses(runDir: string): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const inRunDir = (v: string) => v === runDir || v.startsWith(`${runDir}/`);
  const belongs = (kv: string) => {
    const eq = kv.indexOf('=');
    const key = kv.slice(0, eq);
    return (
      (key === 'BOXROOM_RUN_DIR' || key === 'HOME' || key === 'XDG_RUNTIME_DIR') && inRunDir(kv.slice(eq + 1))
    );
  };
  const found: number[] = [];
  await Promise.all(
    entries
      .filter((e) => /^\d+$/.test(e) && Number(e) !== process.pid)
      .map(async (e) => {
        try {
          if ((await readFile(`/proc/${e}/environ`, 'utf8')).split('\0').some(belongs)) found.push(Number(e));
        } catch {
          // exited meanwhile, or not readable: not ours
        }
      }),
  );
  return found;
}

/** SIGKILL whatever of the room is still running; returns how many were signalled. */
export async function killRoomLeftovers(runDir: string): Promise<number> {
  const pids = await findRoomProcesses(runDir);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return pids.length;
}
