import type { Logger } from '../logger.js';
import { waitAgentReady } from './agent-readiness.js';

/** Beyond the healthcheck's start period: after that the engine's verdict is all there is. */
export const READY_WATCH_MS = 40_000;

export interface ReadyWatchesOptions {
  /** where the room's agent is, or null while the runtime has not said yet */
  url: (id: string) => Promise<string | null>;
  /** the agent said ready: the driver announces it */
  onReady: (id: string) => void;
  log: Logger;
  watchMs?: number;
}

/**
 * starting -> ready the moment the agent says ok, instead of at the runtime's next healthcheck
 * (docker: 0.1-1 s later; swarm: a task is `running` only after its first healthy check). The
 * runtime's own verdicts still rule everything else: the driver unwatches a room when it has one.
 * Memory only: after a dashboard restart the runtime has long caught up.
 */
export class ReadyWatches {
  /** rooms whose agent said ready before the runtime did */
  private readonly ready = new Set<string>();
  private readonly watches = new Map<string, AbortController>();

  constructor(private readonly o: ReadyWatchesOptions) {}

  /** The agent said ready (a watch, or the driver's own probe at init). */
  saidReady = (id: string): boolean => this.ready.has(id);

  markReady(id: string): void {
    this.ready.add(id);
  }

  watch(id: string): void {
    if (this.watches.has(id)) return;
    const stop = new AbortController();
    this.watches.set(id, stop);
    let url: string | null = null;
    waitAgentReady({
      url: async () => (url ??= await this.o.url(id)),
      signal: AbortSignal.any([stop.signal, AbortSignal.timeout(this.o.watchMs ?? READY_WATCH_MS)]),
    }).then(
      () => {
        // unwatched meanwhile: deleted, or the runtime gave its own verdict
        if (this.watches.get(id) !== stop) return;
        this.watches.delete(id);
        this.ready.add(id);
        this.o.log.debug({ room: id }, 'agent ready before the runtime said so');
        this.o.onReady(id);
      },
      () => {
        if (this.watches.get(id) === stop) this.watches.delete(id);
      },
    );
  }

  unwatch(id: string): void {
    this.watches.get(id)?.abort();
    this.watches.delete(id);
    this.ready.delete(id);
  }

  close(): void {
    for (const id of [...this.watches.keys()]) this.unwatch(id);
  }
}
