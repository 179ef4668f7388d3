import { describe, expect, it } from 'vitest';
import { FakeClock } from '../testing/fake-clock.js';
import { DashboardSilence } from './dashboard-silence.js';

describe('DashboardSilence', () => {
  it('fires once after the limit without a dashboard request', () => {
    const clock = new FakeClock();
    const s = new DashboardSilence(60_000, clock);
    const fired: number[] = [];
    s.on('silent', (e) => fired.push(e.lastHeardAt));
    s.start();
    clock.advance(59_999);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual([1_000]);
    clock.advance(600_000);
    expect(fired).toHaveLength(1);
  });

  it('each request pushes the end back by the whole limit', () => {
    const clock = new FakeClock();
    const s = new DashboardSilence(60_000, clock);
    let fired = false;
    s.on('silent', () => (fired = true));
    s.start();
    for (let i = 0; i < 10; i++) {
      clock.advance(45_000);
      s.heard();
    }
    expect(fired).toBe(false);
    clock.advance(59_000);
    expect(fired).toBe(false);
    clock.advance(1_000);
    expect(fired).toBe(true);
  });

  it('0 is off, and close() stops it', () => {
    const clock = new FakeClock();
    const off = new DashboardSilence(0, clock);
    let fired = 0;
    off.on('silent', () => fired++);
    off.start();
    clock.advance(10 * 86_400_000);
    const closed = new DashboardSilence(1_000, clock);
    closed.on('silent', () => fired++);
    closed.start();
    closed.close();
    clock.advance(5_000);
    expect(fired).toBe(0);
    expect(clock.delays).toEqual([1_000]);
  });
});
