import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
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

/** ffmpeg publishing a synthetic 720p30 H.264 + AAC stream (lavfi testsrc2 + sine), realtime. */
export function lavfiPublishArgs(url: string, size = '1280x720', rate = 30): string[] {
  return [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin'],
    ...['-re', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}`],
    ...['-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', String(rate), '-bf', '0'],
    ...['-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '96k', '-flvflags', 'no_duration_filesize'],
    ...['-f', 'flv', url],
  ];
}
