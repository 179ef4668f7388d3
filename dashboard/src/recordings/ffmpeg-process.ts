import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from '../logger.js';

/** Lines of ffmpeg's stderr kept for the log when it fails. */
const STDERR_LINES = 10;
/** A stop that ffmpeg does not finish in this time is a kill (it may wait on a full disk). */
const FINISH_TIMEOUT_MS = 5_000;

export type Spawn = (args: string[]) => ChildProcess;

export const spawnFfmpeg =
  (bin = 'ffmpeg'): Spawn =>
  (args) =>
    spawn(bin, args, { stdio: ['pipe', 'ignore', 'pipe'] });

/** The last lines a child wrote to stderr (ffmpeg says why it failed there). */
function stderrTail(child: ChildProcess): () => string[] {
  const lines: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (s: string) => {
    lines.push(...s.split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - STDERR_LINES));
  });
  return () => lines;
}

/** Runs ffmpeg once to its end (an export, a frame); rejects with its last words when it fails. */
export function runFfmpeg(spawnIt: Spawn, args: string[], timeoutMs = 120_000): Promise<void> {
  const child = spawnIt(args);
  child.stdin?.end();
  const tail = stderrTail(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`ffmpeg failed (${signal ?? code}): ${tail().join(' | ')}`));
    });
  });
}

/**
 * One recording part's ffmpeg, fed on stdin. `exited` resolves when it is gone, with `expected`
 * false when it died on its own (the recorder then continues in a new part).
 */
export class FfmpegPart {
  private readonly child: ChildProcess;
  private finishing = false;
  private readonly tail: () => string[];
  readonly exited: Promise<{ expected: boolean; code: number | null }>;
  readonly startedAtMs = Date.now();
  /** callers waiting for `drain`; released together by the drain or by the exit (one listener each) */
  private drainWaiters: Array<() => void> = [];
  private gone = false;

  constructor(spawnIt: Spawn, args: string[], log: Logger) {
    this.child = spawnIt(args);
    this.tail = stderrTail(this.child);
    // A write after ffmpeg died fails with EPIPE: the exit below is the one report of it.
    this.child.stdin?.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      this.child.once('error', (err) => {
        log.error({ err }, 'recorder ffmpeg could not start');
      });
      this.child.once('close', (code, signal) => {
        const expected = this.finishing && code === 0;
        if (!expected) log.warn({ code, signal, stderr: this.tail() }, 'recorder ffmpeg ended unexpectedly');
        resolve({ expected, code });
      });
    });
    this.child.stdin?.on('drain', () => this.releaseDrainWaiters());
    void this.exited.then(() => {
      this.gone = true;
      this.releaseDrainWaiters();
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** false: ffmpeg's pipe is full (the caller pauses its source until `drain`). */
  write(buf: Buffer): boolean {
    const stdin = this.child.stdin;
    if (!stdin || stdin.destroyed || this.finishing) return true;
    return stdin.write(buf);
  }

  /** `fn` once the pipe drained, or ffmpeg is gone (a source paused for it must not stay paused). */
  onDrain(fn: () => void): void {
    // One drain and one exit listener for the whole life of the part: a closure per pause would pile up.
    this.drainWaiters.push(fn);
    if (this.gone) this.releaseDrainWaiters();
  }

  private releaseDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const fn of waiters) fn();
  }

  /** Closes its input: ffmpeg writes the last segment and ENDLIST and exits. */
  async finish(): Promise<void> {
    this.finishing = true;
    this.child.stdin?.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), FINISH_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }

  /** Ends it at once (the dashboard stops: the recording resumes in a new part after the restart). */
  async kill(): Promise<void> {
    this.finishing = true;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}
