import { describe, expect, it } from 'vitest';
import { RestartBackoff } from './backoff.js';
import { canTransition } from './process-state.js';

describe('RestartBackoff', () => {
  const policy = { initialDelayMs: 100, maxDelayMs: 1_000, resetAfterMs: 5_000 };

  it('doubles on quick failures up to the cap', () => {
    const b = new RestartBackoff(policy);
    expect([0, 0, 0, 0, 0, 0].map((up) => b.next(up))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('is quick again after a run that lasted resetAfterMs', () => {
    const b = new RestartBackoff(policy);
    b.next(0);
    b.next(0);
    expect(b.next(5_000)).toBe(100);
    expect(b.next(10)).toBe(200);
  });
});

describe('process state transitions', () => {
  it('allows the lifecycle and refuses shortcuts', () => {
    expect(canTransition('stopped', 'starting')).toBe(true);
    expect(canTransition('starting', 'ready')).toBe(true);
    expect(canTransition('ready', 'backoff')).toBe(true);
    expect(canTransition('backoff', 'waiting')).toBe(true);
    expect(canTransition('stopping', 'stopped')).toBe(true);
    expect(canTransition('stopped', 'ready')).toBe(false);
    expect(canTransition('ready', 'starting')).toBe(false);
    expect(canTransition('stopping', 'starting')).toBe(false);
    expect(canTransition('waiting', 'ready')).toBe(false);
  });
});
