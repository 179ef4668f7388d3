import type { Readable, Writable } from 'node:stream';

/**
 * A supervised process described as data: what to run, what it needs first, how to tell it is up,
 * how to restart it and how to stop it. The supervisor owns the mechanism; specs own the policy.
 */

/** Resolves once the process is usable; must reject promptly when `signal` aborts. */
export type ProbeFn = (signal: AbortSignal) => Promise<void>;

export type Readiness =
  | { readonly kind: 'unix-socket'; readonly path: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  /** a file the process creates once it is up (e.g. openbox's --startup hook); removed before each spawn */
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'none' }
  | { readonly kind: 'probe'; readonly probe: ProbeFn };

export interface RestartPolicy {
  /** delay before the first restart after a quick failure */
  readonly initialDelayMs: number;
  /** the delay doubles on each quick failure, up to this */
  readonly maxDelayMs: number;
  /** a process that stayed up this long counts as healthy: the next restart is quick again */
  readonly resetAfterMs: number;
}

export interface ProcessSpec {
  /** unique within a supervisor; used in logs, health and dependsOn */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /**
   * When present, the arguments are asked for at every spawn instead of `args` (which stays the
   * first start's, for logs and tests): a command line that follows a setting changed while the
   * room runs, e.g. the capture's size after a resize.
   */
  readonly argsAtSpawn?: () => readonly string[];
  /**
   * Added to a minimal base environment (PATH, locale, TZ), not to the agent's whole environment:
   * the app is a shell the room's users drive, so nothing of the agent's own configuration leaks into it.
   */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /**
   * Spawn as this uid/gid (supplementary groups dropped) instead of the agent's: the desktop runs as
   * its own user so that nothing it starts can signal, trace or read the agent. Needs a root agent.
   */
  readonly runAs?: { readonly uid: number; readonly gid: number };
  /** the child's file-creation mask (default: the agent's) */
  readonly umask?: number;
  /** names of processes that must be ready before this one starts; when one exits, this one is restarted too */
  readonly dependsOn: readonly string[];
  readonly readiness: Readiness;
  /** starting -> ready must happen within this, or the process is killed and restarted */
  readonly readyTimeoutMs: number;
  readonly restart: RestartPolicy;
  readonly stopSignal: NodeJS.Signals;
  /** after this, the process group gets SIGKILL */
  readonly stopTimeoutMs: number;
  /**
   * Runs before every spawn, restarts included (e.g. removing a stale X lock left by a killed Xvfb,
   * writing a config file). A rejection counts as a failed start: the process backs off and retries.
   */
  readonly prepare?: (signal: AbortSignal) => Promise<void>;
  /**
   * Given the process's stdout at every spawn, before any byte is read: a byte stream for the agent
   * (ffmpeg's FLV), not text. Without it, stdout lines go to the log like stderr's. With `outputFd3`
   * the second argument is the read end of a pipe that is the child's fd 3 (ffmpeg's sound), else null.
   */
  readonly takeStdout?: (stdout: Readable, fd3: Readable | null) => void;
  /** a second output pipe on the child's fd 3, handed to takeStdout */
  readonly outputFd3?: boolean;
  /**
   * Given the process's stdin at every spawn (a pipe; without this it is /dev/null): the agent talks to
   * a helper this way (boxroom-clipboard's pastes).
   */
  readonly takeStdin?: (stdin: Writable) => void;
}

export const RESTART_INITIAL_DELAY_MS = 100;
export const RESTART_MAX_DELAY_MS = 5_000;
export const RESTART_RESET_AFTER_MS = 10_000;
export const READY_TIMEOUT_MS = 10_000;
/**
 * Stops run level by level (dependents first); three levels of 1.5 s stay inside the agent's 5 s
 * budget on SIGTERM even when every process ignores its stop signal.
 */
export const STOP_TIMEOUT_MS = 1_500;

export type ProcessSpecInput = Pick<ProcessSpec, 'name' | 'command'> &
  Partial<Omit<ProcessSpec, 'name' | 'command' | 'restart'>> & {
    restart?: Partial<RestartPolicy>;
  };

/** Fills in the defaults so call sites only say what is special about their process. */
export function defineProcess(input: ProcessSpecInput): ProcessSpec {
  return {
    args: [],
    env: {},
    dependsOn: [],
    readiness: { kind: 'none' },
    readyTimeoutMs: READY_TIMEOUT_MS,
    stopSignal: 'SIGTERM',
    stopTimeoutMs: STOP_TIMEOUT_MS,
    ...input,
    restart: {
      initialDelayMs: RESTART_INITIAL_DELAY_MS,
      maxDelayMs: RESTART_MAX_DELAY_MS,
      resetAfterMs: RESTART_RESET_AFTER_MS,
      ...input.restart,
    },
  };
}

/** Human-readable description of a readiness check, for error messages. */
export function describeReadiness(r: Readiness): string {
  switch (r.kind) {
    case 'unix-socket':
      return `unix socket ${r.path}`;
    case 'tcp':
      return `tcp ${r.host}:${r.port}`;
    case 'file':
      return `file ${r.path}`;
    case 'probe':
      return 'probe';
    case 'none':
      return 'none';
  }
}
