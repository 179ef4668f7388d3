import { readdir, readFile } from 'node:fs/promises';

/**
 * The processes (this one aside) whose `/proc/<pid>/<file>` passes `test`. Linux only: elsewhere, and
 * for a process that exits meanwhile or cannot be read, nothing is found.
 */
export async function findProcesses(
  file: 'status' | 'environ',
  test: (content: string) => boolean,
): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const found: number[] = [];
  await Promise.all(
    entries
      .filter((e) => /^\d+$/.test(e) && Number(e) !== process.pid)
      .map(async (e) => {
        try {
          if (test(await readFile(`/proc/${e}/${file}`, 'utf8'))) found.push(Number(e));
        } catch {
          // exited meanwhile, or not readable: not a match
        }
      }),
  );
  return found;
}

/**
 * SIGKILL each of `pids` (one already gone is skipped); returns the names (`comm`) of those signalled,
 * for the log: which of a room's processes outlived it says where to look.
 */
export async function killAll(pids: readonly number[]): Promise<string[]> {
  const names = await Promise.all(
    pids.map(async (pid) => {
      const name = await readFile(`/proc/${pid}/comm`, 'utf8').then(
        (c) => c.trim(),
        () => null,
      );
      try {
        process.kill(pid, 'SIGKILL');
        return name ?? String(pid);
      } catch {
        return null; // gone already
      }
    }),
  );
  return names.filter((n): n is string => n !== null);
}
