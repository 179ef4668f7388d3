import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import type { ProcessHealth, ProcessStatus } from '@boxroom/contracts';
import type { Logger } from '../logger.js';
import { RestartBackoff } from './backoff.js';
import { OutputTail } from './output-tail.js';
import { childEnv, signalGroup } from './process-group.js';
import type { ProcessSpec } from './process-spec.js';
import { canTransition } from './process-state.js';
import { waitForReadiness } from './readiness.js';

/** How long to wait for a dead process's pipes to drain before logging its last lines anyway. */
const EXIT_LOG_DRAIN_MS = 500;

export type SupervisedProcessEvents = {
  /** every state change; `detail` says why (exit code, dependency, timeout) */
  status: [health: ProcessHealth, detail: string | undefined];
  /** the program runs (its readiness is still to come) */
  spawned: [pid: number];
  /** started but not ready in time (or its probe failed): it is being killed and will be restarted */
  readyFailed: [error: Error];
};

export interface SupervisedProcessOptions {
  /** the process's logger, already a child of the agent's (`log.child({proc: name})`) */
  log: Logger;
  /** asked when a restart timer fires: false sends the process to `waiting` for its dependencies */
  canStart?: () => boolean;
}

function describeExit(code: number | null, signal: string | null): string {
  return signal ? `killed by ${signal}` : `exited with code ${code}`;
}

/**
 * One child process and its lifecycle as an explicit state machine (see process-state.ts).
 * Runs in its own process group so stop signals reach everything it started.
 */
export class SupervisedProcess extends EventEmitter<SupervisedProcessEvents> {
  readonly name: string;
  private state: ProcessStatus = 'stopped';
  private sinceMs = Date.now();
  private child: ChildProcess | null = null;
  private spawns = 0;
  private lastExit: ProcessHealth['lastExit'] = null;
  private startedAtMs = 0;
  private readyFailure: string | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  /** aborted when the current run ends (exit or stop): cancels prepare and readiness waits */
  private runAbort: AbortController | null = null;
  private stopped: { promise: Promise<void>; resolve: () => void } | null = null;
  private readonly backoff: RestartBackoff;
  private readonly tail: OutputTail;
  private readonly log: Logger;
  private readonly canStart: () => boolean;

  constructor(
    readonly spec: ProcessSpec,
    opts: SupervisedProcessOptions,
  ) {
    super();
    this.name = spec.name;
    this.log = opts.log;
    this.canStart = opts.canStart ?? (() => true);
    this.backoff = new RestartBackoff(spec.restart);
    this.tail = new OutputTail(opts.log);
  }

  get status(): ProcessStatus {
    return this.state;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  health(): ProcessHealth {
    return {
      name: this.name,
      status: this.state,
      pid: this.pid,
      restarts: Math.max(0, this.spawns - 1),
      since: this.sinceMs,
      lastExit: this.lastExit,
    };
  }

  /** Spawns now. Refused (false) unless stopped, waiting, in backoff or failed. */
  start(): boolean {
    if (!this.transition('starting')) return false;
    this.clearRestartTimer();
    void this.run();
    return true;
  }

  /** Parks the process until the supervisor sees its dependencies ready again. */
  markWaiting(detail?: string): boolean {
    if (!this.transition('waiting', detail)) return false;
    this.clearRestartTimer();
    return true;
  }

  /** Stops the process group: stopSignal, then SIGKILL after stopTimeoutMs. Resolves once it has exited. */
  stop(detail?: string): Promise<void> {
    switch (this.state) {
      case 'stopped':
        return Promise.resolve();
      case 'stopping':
        return this.stopped?.promise ?? Promise.resolve();
      case 'waiting':
      case 'backoff':
      case 'failed':
        this.clearRestartTimer();
        this.transition('stopped', detail);
        return Promise.resolve();
      case 'starting':
      case 'ready': {
        this.transition('stopping', detail);
        let resolve = (): void => {};
        const promise = new Promise<void>((r) => (resolve = r));
        this.stopped = { promise, resolve };
        this.runAbort?.abort(new Error('stopping'));
        if (this.child?.pid) this.terminate(this.child.pid);
        else this.finishStop(); // still preparing: nothing to kill
        return promise;
      }
    }
  }

  private transition(to: ProcessStatus, detail?: string): boolean {
    const from = this.state;
    if (!canTransition(from, to)) {
      this.log.warn({ from, to }, 'illegal state transition refused');
      return false;
    }
    this.state = to;
    this.sinceMs = Date.now();
    this.log.debug({ from, to, detail }, 'status');
    this.emit('status', this.health(), detail);
    return true;
  }

  private async run(): Promise<void> {
    const abort = new AbortController();
    this.runAbort = abort;
    this.readyFailure = null;
    try {
      await this.spec.prepare?.(abort.signal);
    } catch (err) {
      if (abort.signal.aborted) return; // stop() already moved us on
      this.log.error({ err }, 'prepare failed');
      this.scheduleRestart(0, `prepare failed: ${(err as Error).message}`);
      return;
    }
    if (abort.signal.aborted) return;

    const child = this.spawnChild();
    if (!child) return;
    try {
      await waitForReadiness(this.spec.readiness, abort.signal, this.spec.readyTimeoutMs);
    } catch (err) {
      if (abort.signal.aborted) return; // exited or stopping: the exit handler decides what comes next
      this.readyFailure = (err as Error).message;
      this.log.error({ err }, 'not ready; killing it to restart');
      this.emit('readyFailed', err as Error);
      if (child.pid) this.terminate(child.pid);
      return;
    }
    if (!abort.signal.aborted) this.transition('ready');
  }

  private spawnChild(): ChildProcess | null {
    const { spec } = this;
    const fail = (err: Error): void => {
      this.log.error({ err, command: spec.command }, 'could not spawn');
      if (this.state === 'starting') this.transition('failed', `could not spawn: ${err.message}`);
    };
    let child: ChildProcess;
    // Node has no per-child umask: spawn() forks synchronously, so the mask set around it is the
    // child's alone (no other JavaScript runs in between).
    const agentUmask = spec.umask === undefined ? undefined : process.umask(spec.umask);
    try {
      child = spawn(spec.command, [...(spec.argsAtSpawn?.() ?? spec.args)], {
        env: childEnv(spec.env),
        cwd: spec.cwd,
        // libuv drops supplementary groups (setgroups(0)) before setgid/setuid
        ...(spec.runAs ? { uid: spec.runAs.uid, gid: spec.runAs.gid } : {}),
        detached: true, // own process group: one signal reaches its children too
        stdio: [
          spec.takeStdin ? 'pipe' : 'ignore',
          'pipe',
          'pipe',
          ...(spec.outputFd3 ? ['pipe' as const] : []),
        ],
      });
    } catch (err) {
      fail(err as Error);
      return null;
    } finally {
      if (agentUmask !== undefined) process.umask(agentUmask);
    }
    if (child.pid === undefined) {
      // ENOENT/EACCES: retrying will not help until someone installs the program
      child.once('error', fail);
      return null;
    }
    this.child = child;
    this.spawns += 1;
    this.startedAtMs = Date.now();
    this.tail.clear();
    if (spec.takeStdin && child.stdin) spec.takeStdin(child.stdin);
    const fd3 = spec.outputFd3 ? (child.stdio[3] as Readable | null) : null;
    if (spec.takeStdout && child.stdout) spec.takeStdout(child.stdout, fd3);
    else this.tail.attach(child.stdout, 'stdout');
    this.tail.attach(child.stderr, 'stderr');
    this.log.info({ pid: child.pid, restarts: this.spawns - 1 }, 'spawned');
    this.emit('spawned', child.pid);
    child.once('exit', (code, signal) => this.onExit(child, code, signal));
    child.on('error', (err) => this.log.warn({ err }, 'child process error'));
    return child;
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    const pid = child.pid!;
    this.child = null;
    this.clearKillTimer();
    this.runAbort?.abort(new Error('process exited'));
    // whatever the leader left behind in its group (a shell, renderers) goes with it
    signalGroup(pid, 'SIGKILL');
    const now = Date.now();
    this.lastExit = { code, signal, at: now };
    const detail = describeExit(code, signal);
    if (this.state === 'stopping') {
      this.log.info({ code, signal }, 'stopped');
      this.finishStop(detail);
      return;
    }
    const uptimeMs = now - this.startedAtMs;
    const why = this.readyFailure ?? detail;
    this.logUnexpectedExit(child, { code, signal, uptimeMs, why });
    this.scheduleRestart(uptimeMs, why);
  }

  /** Logs the last output lines once the pipes have drained (they often hold the reason it died). */
  private logUnexpectedExit(child: ChildProcess, info: Record<string, unknown>): void {
    let logged = false;
    const logOnce = (): void => {
      if (logged) return;
      logged = true;
      this.log.warn({ ...info, output: this.tail.tail() }, 'exited unexpectedly');
    };
    child.once('close', logOnce);
    setTimeout(logOnce, EXIT_LOG_DRAIN_MS).unref();
  }

  private scheduleRestart(uptimeMs: number, why: string): void {
    const delayMs = this.backoff.next(uptimeMs);
    if (!this.transition('backoff', `${why}; restart in ${delayMs} ms`)) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.state !== 'backoff') return;
      if (this.canStart()) this.start();
      else this.markWaiting('dependency not ready');
    }, delayMs);
  }

  private terminate(pid: number): void {
    this.clearKillTimer();
    try {
      signalGroup(pid, this.spec.stopSignal);
    } catch (err) {
      this.log.warn({ err }, 'stop signal failed');
    }
    this.killTimer = setTimeout(() => {
      this.log.warn({ stopTimeoutMs: this.spec.stopTimeoutMs }, 'did not stop in time; sending SIGKILL');
      signalGroup(pid, 'SIGKILL');
    }, this.spec.stopTimeoutMs);
  }

  private finishStop(detail?: string): void {
    this.transition('stopped', detail);
    const stopped = this.stopped;
    this.stopped = null;
    stopped?.resolve();
  }

  private clearRestartTimer(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
  }

  private clearKillTimer(): void {
    if (this.killTimer) clearTimeout(this.killTimer);
    this.killTimer = null;
  }
}
