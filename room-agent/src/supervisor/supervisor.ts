import { EventEmitter, once } from 'node:events';
import type { ProcessHealth, ProcessStatus } from '@boxroom/contracts';
import type { Logger } from '../logger.js';
import { DependencyGraph } from './dependency-graph.js';
import type { ProcessSpec } from './process-spec.js';
import { SupervisedProcess } from './supervised-process.js';

/** Status changes kept for /healthz: enough to show the last few outages and recoveries. */
export const STATUS_HISTORY_SIZE = 50;
/** start() gives up (the supervisor keeps trying) when not everything is ready by then. */
export const START_TIMEOUT_MS = 30_000;

/** One entry of the recent-events log; the shape of AgentHealth.events in contracts. */
export interface StatusEvent {
  at: number;
  process: string;
  status: ProcessStatus;
  detail?: string;
}

export type SupervisorEvents = {
  status: [health: ProcessHealth, detail: string | undefined];
};

export interface SupervisorOptions {
  log: Logger;
  historySize?: number;
  startTimeoutMs?: number;
}

export class SupervisorStartError extends Error {
  override name = 'SupervisorStartError';
}

/**
 * Runs a set of process specs: each starts once its dependencies are ready; when one exits, the
 * processes that depend on it (transitively) are stopped and started again after it is back,
 * because e.g. x11vnc, ffmpeg and the apps cannot survive an X server restart.
 */
export class Supervisor extends EventEmitter<SupervisorEvents> {
  private readonly procs = new Map<string, SupervisedProcess>();
  private readonly graph: DependencyGraph;
  private readonly history: StatusEvent[] = [];
  private readonly log: Logger;
  private readonly historySize: number;
  private readonly startTimeoutMs: number;
  /** true between start() and stop(): nothing is (re)started outside that window */
  private running = false;
  private abortStart: ((err: Error) => void) | null = null;

  constructor(specs: readonly ProcessSpec[], opts: SupervisorOptions) {
    super();
    this.graph = new DependencyGraph(specs);
    this.log = opts.log;
    this.historySize = opts.historySize ?? STATUS_HISTORY_SIZE;
    this.startTimeoutMs = opts.startTimeoutMs ?? START_TIMEOUT_MS;
    for (const spec of specs) {
      const proc = new SupervisedProcess(spec, {
        log: opts.log.child({ proc: spec.name }),
        canStart: () => this.running && this.dependenciesReady(spec.name),
      });
      proc.on('status', (health, detail) => this.onStatus(proc, health, detail));
      this.procs.set(spec.name, proc);
    }
  }

  health(): ProcessHealth[] {
    return [...this.procs.values()].map((p) => p.health());
  }

  /** Recent status changes, oldest first. */
  recentEvents(): StatusEvent[] {
    return [...this.history];
  }

  allReady(): boolean {
    return [...this.procs.values()].every((p) => p.status === 'ready');
  }

  /** The live pid of a process, or null (for diagnostics and tests). */
  pidOf(name: string): number | null {
    return this.procs.get(name)?.pid ?? null;
  }

  /** Sends a signal to a process (not its group) that runs now; false when none does. */
  signal(name: string, sig: NodeJS.Signals): boolean {
    const pid = this.pidOf(name);
    if (pid === null) return false;
    try {
      process.kill(pid, sig);
      return true;
    } catch {
      return false; // it has just ended
    }
  }

  /**
   * Starts everything in dependency order. Resolves when all are ready; rejects when one is not
   * ready in time, cannot be spawned, or startTimeoutMs passes. A rejection does not stop the
   * supervisor: it keeps restarting; call stop() to give up.
   */
  start(): Promise<void> {
    if (this.running) return Promise.reject(new SupervisorStartError('supervisor already started'));
    this.running = true;
    const ready = this.whenAllReady();
    for (const proc of this.procs.values()) {
      if (proc.status === 'stopped' || proc.status === 'failed') proc.markWaiting();
    }
    this.kick();
    return ready;
  }

  /** Stops dependents before their dependencies, level by level; resolves once every child has exited. */
  async stop(): Promise<void> {
    this.running = false;
    this.abortStart?.(new SupervisorStartError('stopped before every process was ready'));
    for (const level of this.graph.byLevel().reverse()) {
      await Promise.all(level.map((name) => this.procs.get(name)!.stop('supervisor stopping')));
    }
  }

  /**
   * Stops the named processes while `between` runs alongside
   * (e.g. ending them and their leftovers harder), then starts them again at once: a deliberate
   * restart, not a crash, so no backoff. Everything else keeps running. Rejects with `between`'s error
   * after the restart when it failed.
   */
  async restart(names: readonly string[], why: string, between?: () => Promise<void>): Promise<void> {
    const procs = names.map((name) => {
      const proc = this.procs.get(name);
      if (!proc) throw new Error(`no process named ${name}`);
      return proc;
    });
    const [, done] = await Promise.allSettled([
      // all at once: `between` may end them any moment, and none must look like a crash meanwhile
      Promise.all(procs.map((proc) => proc.stop(why))),
      between?.(),
    ]);
    if (this.running) {
      for (const proc of procs) if (proc.status === 'stopped') proc.markWaiting(why);
      this.kick();
    }
    if (done.status === 'rejected') throw done.reason;
  }

  /**
   * Resolves once `name` has been spawned (a process of this start, or one already running), or
   * after `capMs` whatever happened: a caller that only wants to go second never waits for long.
   */
  spawned(name: string, capMs: number): Promise<void> {
    const proc = this.procs.get(name);
    if (!proc || proc.pid !== null) return Promise.resolve();
    // the signal removes the listener when the cap comes first
    return once(proc, 'spawned', { signal: AbortSignal.timeout(capMs) }).then(
      () => undefined,
      () => undefined,
    );
  }

  private whenAllReady(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        this.off('status', onStatus);
        for (const proc of this.procs.values()) proc.off('readyFailed', onReadyFailed.get(proc)!);
        this.abortStart = null;
      };
      const fail = (err: Error): void => {
        cleanup();
        reject(err);
      };
      const onStatus = (health: ProcessHealth, detail: string | undefined): void => {
        if (health.status === 'failed')
          fail(new SupervisorStartError(`${health.name} failed: ${detail ?? 'unknown reason'}`));
        else if (this.allReady()) {
          cleanup();
          resolve();
        }
      };
      const onReadyFailed = new Map<SupervisedProcess, (err: Error) => void>();
      for (const proc of this.procs.values()) {
        const handler = (err: Error): void =>
          fail(new SupervisorStartError(`${proc.name} ${err.message}`, { cause: err }));
        onReadyFailed.set(proc, handler);
        proc.on('readyFailed', handler);
      }
      const timer = setTimeout(() => {
        const pending = this.health()
          .filter((h) => h.status !== 'ready')
          .map((h) => `${h.name}: ${h.status}`);
        fail(new SupervisorStartError(`not ready within ${this.startTimeoutMs} ms (${pending.join(', ')})`));
      }, this.startTimeoutMs);
      this.abortStart = fail;
      this.on('status', onStatus);
    });
  }

  private onStatus(proc: SupervisedProcess, health: ProcessHealth, detail: string | undefined): void {
    this.history.push({
      at: health.since,
      process: health.name,
      status: health.status,
      ...(detail ? { detail } : {}),
    });
    if (this.history.length > this.historySize) this.history.shift();
    const level = health.status === 'backoff' || health.status === 'failed' ? 'warn' : 'info';
    this.log[level]({ proc: health.name, status: health.status, pid: health.pid, detail }, 'process status');
    this.emit('status', health, detail);
    if (!this.running) return;
    if (health.status === 'ready') this.kick();
    if (health.status === 'backoff' || health.status === 'failed') this.holdDependents(proc.name);
  }

  /** Starts every waiting process whose dependencies are all ready. */
  private kick(): void {
    if (!this.running) return;
    for (const [name, proc] of this.procs) {
      if (proc.status === 'waiting' && this.dependenciesReady(name)) proc.start();
    }
  }

  private dependenciesReady(name: string): boolean {
    return this.graph.dependenciesOf(name).every((dep) => this.procs.get(dep)!.status === 'ready');
  }

  /** A dependency went down: its dependents stop and wait for it to be ready again. */
  private holdDependents(name: string): void {
    const why = `dependency ${name} went down`;
    for (const dependent of this.graph.dependentsOf(name)) {
      const proc = this.procs.get(dependent)!;
      if (proc.status === 'backoff') proc.markWaiting(why);
      else if (proc.status === 'starting' || proc.status === 'ready') {
        void proc.stop(why).then(() => {
          // stop() or a fresh start() may have happened meanwhile; only resume our own hold
          if (this.running && proc.status === 'stopped') {
            proc.markWaiting(why);
            this.kick();
          }
        });
      }
    }
  }
}
