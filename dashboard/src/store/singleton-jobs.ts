import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../logger.js';
import { LeaseRunner, type SingletonJob } from './lease-runner.js';
import type { StateStore } from './state-store.js';

/**
 * Singleton jobs' leases: a replica that dies leaves its jobs undone this long at most (plus a
 * renewal period), and a store that stops answering for a third of it stops them here.
 */
const JOB_LEASE_TTL_MS = 5_000;

/**
 * The dashboard's singleton jobs, each run on the replica holding its lease (with one dashboard and
 * the file store: this one, always). `producers` make work for the others (rooms ending, events,
 * recordings, pruning) and stop first; `sender` delivers what they queued and stops last, so what it
 * did not send, the next holder of its lease sends.
 */
export class SingletonJobs {
  private readonly producers: LeaseRunner[];
  private readonly sender: LeaseRunner | null;

  constructor(
    store: Pick<StateStore, 'acquireLease' | 'releaseLease'>,
    log: Logger,
    jobs: { producers: Record<string, SingletonJob>; sender: SingletonJob | null },
  ) {
    const holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    const lease = { store, holder, ttlMs: JOB_LEASE_TTL_MS, log: log.child({ mod: 'jobs' }) };
    this.producers = Object.entries(jobs.producers).map(
      ([name, job]) => new LeaseRunner({ ...lease, name, job }),
    );
    this.sender = jobs.sender ? new LeaseRunner({ ...lease, name: 'webhooks', job: jobs.sender }) : null;
  }

  start(): void {
    for (const r of this.producers) r.start();
    this.sender?.start();
  }

  /** In the order given (recorders before the reaper: a room's end finishes its recording). */
  async stopProducers(): Promise<void> {
    for (const r of this.producers) await r.stop();
  }

  async stopSender(): Promise<void> {
    await this.sender?.stop();
  }
}
