import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolves with the exit code (or signal) once the child has exited; at once if it already has. */
export function waitForExit(
  child: ChildProcess,
  timeoutMs = 10_000,
): Promise<number | NodeJS.Signals | null> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve(child.exitCode ?? child.signalCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`pid ${child.pid} did not exit in ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? signal);
    });
  });
}

/**
 * Children started by one test file, so `killAll()` in afterAll/afterEach can stop exactly those
 * (by PID, SIGTERM then SIGKILL), whatever failed in between.
 */
export class ProcessGroup {
  private readonly children = new Set<ChildProcess>();
  /** stderr tails, for failure messages */
  readonly stderr = new Map<ChildProcess, string>();

  spawn(cmd: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...opts });
    this.children.add(child);
    this.stderr.set(child, '');
    child.stderr?.on('data', (d: Buffer) =>
      this.stderr.set(child, ((this.stderr.get(child) ?? '') + d).slice(-4096)),
    );
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  async kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    try {
      await waitForExit(child, graceMs);
    } catch {
      child.kill('SIGKILL');
      await waitForExit(child, graceMs).catch(() => {});
    }
  }

  async killAll(): Promise<void> {
    await Promise.all([...this.children].map((c) => this.kill(c)));
  }
}

/** A display number from `from` up whose X lock file and socket do not exist. */
export function freeDisplay(from = 170): number {
  for (let n = from; n < from + 200; n++) {
    if (!existsSync(`/tmp/.X${n}-lock`) && !existsSync(`/tmp/.X11-unix/X${n}`)) return n;
  }
  throw new Error('no free X display');
}

/** Starts Xvfb on :display and resolves once its socket exists. */
export async function startXvfb(
  group: ProcessGroup,
  display: number,
  width = 1280,
  height = 720,
): Promise<ChildProcess> {
  const child = group.spawn('Xvfb', [
    `:${display}`,
    '-screen',
    '0',
    `${width}x${height}x24`,
    '-nolisten',
    'tcp',
  ]);
  const deadline = Date.now() + 10_000;
  while (!existsSync(`/tmp/.X11-unix/X${display}`)) {
    if (child.exitCode !== null) throw new Error(`Xvfb :${display} exited: ${group.stderr.get(child)}`);
    if (Date.now() > deadline) throw new Error(`Xvfb :${display} did not start`);
    await sleep(50);
  }
  return child;
}

/**
 * ffmpeg publishing a synthetic 720p30 H.264 + AAC stream (lavfi testsrc2 + sine), realtime; by
 * default as FLV on its stdout, every packet flushed at once, like the room's ffmpeg.
 */
export function lavfiPublishArgs(url = 'pipe:1', size = '1280x720', rate = 30): string[] {
  return [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin'],
    ...['-re', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}`],
    ...['-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', String(rate), '-bf', '0'],
    ...['-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '96k', '-flvflags', 'no_duration_filesize'],
    ...['-flush_packets', '1', '-f', 'flv', url],
  ];
}

/**
 * TCP ports `pid` listens on (IPv4 and IPv6): its socket inodes from /proc/<pid>/fd matched with the
 * LISTEN rows of /proc/net/tcp{,6}.
 */
export function listeningTcpPorts(pid: number | 'self' = 'self'): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed in between
    }
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // f[1] local address:port (hex), f[3] state (0A = LISTEN), f[9] inode
      if (f[3] === '0A' && inodes.has(f[9]!)) ports.add(parseInt(f[1]!.split(':')[1]!, 16));
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/**
 * The direct children of `pid` (from /proc/<pid>/task/<pid>/children): an exited child not reaped yet
 * is still listed. None once `pid` is gone.
 */
export function childrenOf(pid: number): number[] {
  try {
    const list = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return list ? list.split(/\s+/).map(Number) : [];
  } catch {
    return [];
  }
}

/** Every live descendant of `pid` (children, grandchildren, ...), from /proc/<pid>/stat's ppid field. */
export function descendantPids(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited in between
    }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}
