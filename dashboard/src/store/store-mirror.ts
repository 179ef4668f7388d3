import type { Logger } from '../logger.js';
import type { StateStore, StoreChange } from './state-store.js';

/** A refresh that failed (store unreachable) is tried again this much later: a change was missed. */
const RETRY_MS = 1_000;

export interface StoreMirrorOptions<T> {
  store: Pick<StateStore, 'onChange'>;
  /** which changes concern this copy */
  kind: StoreChange['kind'];
  load: () => Promise<T>;
  /** replaces the in-memory copy */
  apply: (value: T) => void;
  log: Logger;
}

/**
 * Keeps an in-memory copy of one part of the store fresh: the copy answers every API call without a
 * round trip, and any replica's write (announced by `onChange`) reloads it. Reloads are coalesced
 * (one in flight, one more queued however many changes arrive), and a reload that raced a write of
 * this process is thrown away and done again, so a slow load never puts back an older copy than the
 * one the write left.
 */
export class StoreMirror<T> {
  private epoch = 0;
  private running: Promise<void> | null = null;
  private again = false;
  private retry: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private closed = false;

  constructor(private readonly o: StoreMirrorOptions<T>) {}

  /** Loads the copy once (a failure throws: starting without it would revive what was taken away). */
  async open(): Promise<void> {
    // Listening before the first load: a change during it reloads once it is applied, not before.
    this.unsubscribe = this.o.store.onChange((change) => {
      if (change.kind === this.o.kind) void this.refresh();
    });
    const first = this.o.load().then((value) => this.o.apply(value));
    this.track(first.catch(() => undefined));
    try {
      await first;
    } catch (err) {
      this.close();
      throw err;
    }
  }

  /** Called by the owner right after it wrote the store and updated its copy. */
  wrote(): void {
    this.epoch++;
  }

  /** Reloads soon: at once, or after the reload in flight (whose promise this returns). */
  refresh(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    return this.track(this.reload());
  }

  close(): void {
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
  }

  /** One load at a time; changes announced meanwhile reload once more after it. */
  private track(work: Promise<void>): Promise<void> {
    this.running = work.finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    });
    return this.running;
  }

  private async reload(): Promise<void> {
    try {
      for (;;) {
        const start = this.epoch;
        const value = await this.o.load();
        if (this.closed) return;
        if (start === this.epoch) {
          this.o.apply(value);
          return;
        }
      }
    } catch (err) {
      this.o.log.error({ err, kind: this.o.kind }, 'could not reload from the store: trying again');
      this.retry ??= setTimeout(() => {
        this.retry = null;
        void this.refresh();
      }, RETRY_MS);
      this.retry.unref();
    }
  }
}
