import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { tempFileStore } from '../testing/temp-file-store.js';
import type { FileStateStore } from './file-state-store.js';
import { LeaseRunner, type SingletonJob } from './lease-runner.js';
import { until } from '../testing/until.js';

const log = pino({ level: 'silent' });
const TTL_MS = 150;

/** A job that records whether it runs, and fails the test if two instances ever run at once. */
class Job implements SingletonJob {
  running = false;
  starts = 0;
  constructor(private readonly all: Job[]) {
    all.push(this);
  }
  start(): void {
    expect(this.all.filter((j) => j.running)).toEqual([]);
    this.running = true;
    this.starts++;
  }
  async stop(): Promise<void> {
    await new Promise((r) => setTimeout(r, 5));
    this.running = false;
  }
}

describe('LeaseRunner', () => {
  const runners: LeaseRunner[] = [];
  let store: FileStateStore;
  let dispose: () => Promise<void>;
  beforeEach(async () => ({ store, dispose } = await tempFileStore()));
  afterEach(async () => {
    for (const r of runners.splice(0)) await r.stop();
    await dispose();
  });

  function replica(holder: string, jobs: Job[]) {
    const job = new Job(jobs);
    const runner = new LeaseRunner({ store, name: 'reaper', holder, ttlMs: TTL_MS, job, log });
    runners.push(runner);
    return { job, runner };
  }

  /** a holding the lease, b trying for it */
  async function aThenB() {
    const jobs: Job[] = [];
    const a = replica('a', jobs);
    const b = replica('b', jobs);
    a.runner.start();
    await until(() => a.job.running);
    b.runner.start();
    return { a, b };
  }

  it('runs the job on one replica; a clean stop hands it over at the next try', async () => {
    const { a, b } = await aThenB();
    await new Promise((r) => setTimeout(r, TTL_MS * 2));
    // renewed every ttl/3: b never got it
    expect([a.runner.held, b.runner.held]).toEqual([true, false]);
    expect(b.job.starts).toBe(0);

    const t0 = Date.now();
    await a.runner.stop();
    expect(a.job.running).toBe(false);
    await until(() => b.job.running);
    expect(Date.now() - t0).toBeLessThan(TTL_MS);
  });

  it('a replica cut off from the store lets go, and the other takes over once the lease ran out', async () => {
    const { a, b } = await aThenB();
    // a's renewals hang from now on, as for a dead replica; b's reach the store
    const acquire = store.acquireLease.bind(store);
    vi.spyOn(store, 'acquireLease').mockImplementation((name, holder, ttlMs) =>
      holder === 'a' ? new Promise<boolean>(() => {}) : acquire(name, holder, ttlMs),
    );
    const t0 = Date.now();
    await until(() => b.job.running);
    // not before the lease ran out; the Job checks that a had stopped by then
    expect(Date.now() - t0).toBeGreaterThanOrEqual(TTL_MS / 3);
    expect(Date.now() - t0).toBeLessThan(TTL_MS * 2);
    expect(a.job.running).toBe(false);
  });

  it('stops the job when the store cannot renew the lease, and starts it again when it can', async () => {
    const jobs: Job[] = [];
    const a = replica('a', jobs);
    a.runner.start();
    await until(() => a.job.running);
    const lost = vi.spyOn(store, 'acquireLease').mockRejectedValue(new Error('connection lost'));
    await until(() => !a.job.running);
    expect(a.runner.held).toBe(false);
    lost.mockRestore();
    await until(() => a.job.running);
    expect(a.job.starts).toBe(2);
  });
});
