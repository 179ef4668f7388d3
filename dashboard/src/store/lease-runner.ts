import type { Logger } from '../logger.js';
import type { StateStore } from './state-store.js';

/** A job that must run on one replica at a time (the reaper, the webhook sender). */
export interface SingletonJob {
  start(): void;
  /** resolves when the job's work in flight ended */
  stop(): Promise<void>;
}

export interface LeaseRunnerOptions {
  store: Pick<StateStore, 'acquireLease' | 'releaseLease'>;
  /** the lease's name in the store, also the job's name in logs */
  name: string;
  /** this process, unique among replicas and restarts */
  holder: string;
  /** a holder that stops renewing loses the lease this long after its last renewal */
  ttlMs: number;
  job: SingletonJob;
  log: Logger;
}

/**
 * Runs a job while this replica holds its lease in the store. Every replica tries to take the lease
 * at start and then every ttl/3; the holder's tries renew it. A renewal that fails or does not answer
 * within ttl/3 stops the job at once: by the time the lease runs out elsewhere, this replica has let
 * go, so two holders never overlap while the store decides. A clean stop releases the lease, so
 * another replica takes over at its next try instead of waiting out the ttl; a replica that dies
 * leaves the lease to expire, and another takes over within ttl + ttl/3.
 */
export class LeaseRunner {
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private stopped = true;
  private holds = false;

  constructor(private readonly o: LeaseRunnerOptions) {}

  /** Whether the job runs here now. */
  get held(): boolean {
    return this.holds;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.tick();
  }

  /** Stops the job (waiting for its work in flight) and gives the lease up. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.ticking;
    if (!this.holds) return;
    await this.lose('stopping');
    await this.release();
  }

  private tick(): void {
    this.ticking = this.renew()
      .catch((err: unknown) => this.o.log.error({ err, lease: this.o.name }, 'lease runner failed'))
      .finally(() => {
        this.ticking = null;
        if (this.stopped) return;
        this.timer = setTimeout(() => this.tick(), this.o.ttlMs / 3);
        this.timer.unref();
      });
  }

  private async renew(): Promise<void> {
    const won = await this.acquire();
    if (this.stopped) {
      // stop() came while asking: it gives up what it knows it holds, this try's win it does not know
      if (won && !this.holds) await this.release();
      return;
    }
    if (won && !this.holds) {
      this.holds = true;
      this.o.log.info({ lease: this.o.name, holder: this.o.holder }, 'lease won: job started here');
      this.o.job.start();
    } else if (!won && this.holds) {
      await this.lose('lost');
    }
  }

  /** true: held for another ttl. A store that fails or hangs counts as lost. */
  private async acquire(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.o.ttlMs / 3);
    });
    try {
      return await Promise.race([this.o.store.acquireLease(this.o.name, this.o.holder, this.o.ttlMs), late]);
    } catch (err) {
      this.o.log.warn({ err, lease: this.o.name }, 'could not take or renew the lease');
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private async release(): Promise<void> {
    await this.o.store
      .releaseLease(this.o.name, this.o.holder)
      .catch((err: unknown) => this.o.log.warn({ err, lease: this.o.name }, 'could not release the lease'));
  }

  private async lose(why: 'lost' | 'stopping'): Promise<void> {
    this.holds = false;
    this.o.log[why === 'lost' ? 'warn' : 'info'](
      { lease: this.o.name, why },
      'lease given up: job stopped here',
    );
    await this.o.job.stop();
  }
}
