import { findProcesses, killAll } from './proc-scan.js';

/**
 * Processes that belong to a room by their environment: the agent's supervised children run in
 * process groups of their own (so the agent can stop each one), and an agent killed with SIGKILL
 * leaves them behind holding the display and ports. The agent has BOXROOM_RUN_DIR; its children get
 * HOME and XDG_RUNTIME_DIR inside the run dir, which is unique per room and data dir, so strangers
 * never match. Linux only (/proc); elsewhere this finds nothing.
 */
export async function findRoomProcesses(runDir: string): Promise<number[]> {
  const inRunDir = (v: string) => v === runDir || v.startsWith(`${runDir}/`);
  const belongs = (kv: string) => {
    const eq = kv.indexOf('=');
    const key = kv.slice(0, eq);
    return (
      (key === 'BOXROOM_RUN_DIR' || key === 'HOME' || key === 'XDG_RUNTIME_DIR') && inRunDir(kv.slice(eq + 1))
    );
  };
  return findProcesses('environ', (environ) => environ.split('\0').some(belongs));
}

/** SIGKILL whatever of the room is still running; returns the names of those signalled. */
export async function killRoomLeftovers(runDir: string): Promise<string[]> {
  return killAll(await findRoomProcesses(runDir));
}
