import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStateStore } from '../testing/memory-state-store.js';
import { LeaseRunner, type SingletonJob } from './lease-runner.js';

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

const until = async (fn: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('LeaseRunner', () => {
  const runners: LeaseRunner[] = [];
  afterEach(async () => {
    for (const r of runners.splice(0)) await r.stop();
  });

  function replica(store: MemoryStateStore, holder: string, jobs: Job[]) {
    const job = new Job(jobs);
    const runner = new LeaseRunner({ store, name: 'reaper', holder, ttlMs: TTL_MS, job, log });
    runners.push(runner);
    return { job, runner };
  }

  it('runs the job on one replica; a clean stop hands it over at the next try', async () => {
    const store = new MemoryStateStore();
    const jobs: Job[] = [];
    const a = replica(store, 'a', jobs);
    const b = replica(store, 'b', jobs);
    a.runner.start();
    await until(() => a.job.running);
    b.runner.start();
    await new Promise((r) => setTimeout(r, TTL_MS * 2));
    // renewed every ttl/3: b never got it
    expect([a.runner.held, b.runner.held]).toEqual([true, false]);
    expect(b.job.starts).toBe(0);

    const t0 = Date.now();
    await a.runner.stop();
    expect(a.job.running).toBe(false);
    expect(store.leaseHolder('reaper')).toBeNull();
    await until(() => b.job.running);
    expect(Date.now() - t0).toBeLessThan(TTL_MS);
  });

  it('a replica that dies (stops renewing) is replaced once its lease runs out', async () => {
    const store = new MemoryStateStore();
    const jobs: Job[] = [];
    const a = replica(store, 'a', jobs);
    const b = replica(store, 'b', jobs);
    a.runner.start();
    await until(() => a.job.running);
    b.runner.start();
    // "dies": its timers stop and nothing is released; its job is gone with the process
    store.acquireLease = async (name, holder, ttlMs) =>
      holder === 'a'
        ? new Promise<boolean>(() => {})
        : MemoryStateStore.prototype.acquireLease.call(store, name, holder, ttlMs);
    const t0 = Date.now();
    await until(() => b.job.running);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(TTL_MS / 3);
    expect(Date.now() - t0).toBeLessThan(TTL_MS * 2);
  });

  it('stops the job when the store cannot renew the lease, and starts it again when it can', async () => {
    const store = new MemoryStateStore();
    const jobs: Job[] = [];
    const a = replica(store, 'a', jobs);
    a.runner.start();
    await until(() => a.job.running);
    store.failing = new Error('connection lost');
    await until(() => !a.job.running);
    expect(a.runner.held).toBe(false);
    store.failing = null;
    await until(() => a.job.running);
    expect(a.job.starts).toBe(2);
  });
});
