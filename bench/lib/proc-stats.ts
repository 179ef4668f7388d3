import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { descendantPids } from '../../test/support/processes.js';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime. */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process in ticks, or null once it is gone. */
function cpuTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return null;
  }
}

/** Resident and proportional set size in KiB (PSS splits shared pages, so it adds up across processes). */
function memoryKiB(pid: number): { rss: number; pss: number } | null {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? 0);
    return { rss: field('Rss'), pss: field('Pss') };
  } catch {
    return null;
  }
}

/** CPU time (user + system) the live processes among `pids` have used so far, in ms. */
export function cpuMs(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + ((cpuTicks(pid) ?? 0) * 1000) / CLK_TCK, 0);
}

/** `root` and every process below it (by parent pid), from /proc; none once `root` is gone. */
export function processTree(root: number): number[] {
  return cpuTicks(root) === null ? [] : [root, ...descendantPids(root)];
}

export function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/**
 * CPU of a set of processes (% of one core) per interval, and their memory at each sample. The set is
 * asked again at every sample; a process counts in an interval only when it was there at both ends.
 */
export class CpuSampler {
  readonly cpuPct: number[] = [];
  readonly rssMiB: number[] = [];
  readonly pssMiB: number[] = [];
  /** ticks per process name over the whole run, for a per-process split */
  readonly ticksByComm = new Map<string, number>();
  private last = new Map<number, number>();
  private lastAt = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private wallMs = 0;

  constructor(
    private readonly pids: () => number[] | Promise<number[]>,
    private readonly opts: {
      memory?: boolean;
      /** the name a process counts under in split() (default: its command name) */
      nameOf?: (pid: number) => string;
    } = {},
  ) {}

  async start(intervalMs = 1000): Promise<void> {
    await this.sample(false);
    this.timer = setInterval(() => void this.sample(true), intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sample(true);
  }

  /** CPU over the whole window, % of one core, by process name */
  split(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [comm, ticks] of this.ticksByComm)
      out[comm] = Number(((ticks / CLK_TCK / (this.wallMs / 1000)) * 100).toFixed(1));
    return out;
  }

  private async sample(record: boolean): Promise<void> {
    const pids = await this.pids();
    const now = performance.now();
    const next = new Map<number, number>();
    let ticks = 0;
    let rss = 0;
    let pss = 0;
    for (const pid of pids) {
      const t = cpuTicks(pid);
      if (t === null) continue;
      next.set(pid, t);
      const before = this.last.get(pid);
      if (before !== undefined) {
        ticks += t - before;
        const comm = this.opts.nameOf?.(pid) ?? commOf(pid);
        this.ticksByComm.set(comm, (this.ticksByComm.get(comm) ?? 0) + t - before);
      }
      if (this.opts.memory) {
        const m = memoryKiB(pid);
        rss += m?.rss ?? 0;
        pss += m?.pss ?? 0;
      }
    }
    if (record && this.lastAt) {
      const ms = now - this.lastAt;
      this.wallMs += ms;
      this.cpuPct.push((ticks / CLK_TCK / (ms / 1000)) * 100);
      if (this.opts.memory) {
        this.rssMiB.push(rss / 1024);
        this.pssMiB.push(pss / 1024);
      }
    }
    this.last = next;
    this.lastAt = now;
  }
}
