import type { ProcessHealth } from '@boxroom/contracts';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../testing/fake-clock.js';
import { GiveUpWatch } from './give-up-watch.js';

const proc = (name: string, status: ProcessHealth['status'], restarts = 0): ProcessHealth => ({
  name,
  status,
  pid: null,
  restarts,
  since: 0,
  lastExit: null,
});

function setup(giveUpMs = 10_000) {
  const clock = new FakeClock();
  const desktop = { ready: true, procs: [proc('xvfb', 'ready'), proc('app', 'ready')] };
  const watch = new GiveUpWatch({
    giveUpMs,
    allReady: () => desktop.ready,
    processes: () => desktop.procs,
    clock,
  });
  const gaveUp: string[] = [];
  watch.on('give-up', (d) => gaveUp.push(d));
  watch.start();
  return { clock, desktop, watch, gaveUp };
}

describe('GiveUpWatch', () => {
  it('gives up once when the desktop has not been all ready for the whole period, naming what is down', () => {
    const { clock, desktop, gaveUp } = setup();
    clock.advance(5_000);
    desktop.ready = false;
    desktop.procs = [proc('xvfb', 'ready'), proc('app', 'backoff', 7)];
    clock.advance(9_000);
    expect(gaveUp).toEqual([]);
    clock.advance(1_000);
    expect(gaveUp).toEqual(['the desktop did not come back in 10 s (app backoff after 7 restarts)']);
    clock.advance(60_000);
    expect(gaveUp).toHaveLength(1);
  });

  it('a desktop that comes back in time starts the count again', () => {
    const { clock, desktop, gaveUp } = setup();
    desktop.ready = false;
    clock.advance(8_000);
    desktop.ready = true;
    clock.advance(1_000);
    desktop.ready = false;
    clock.advance(9_000);
    expect(gaveUp).toEqual([]);
    clock.advance(1_000);
    expect(gaveUp).toHaveLength(1);
  });

  it('counts from the start for a desktop that never became ready', () => {
    const { clock, desktop, gaveUp } = setup();
    desktop.ready = false;
    clock.advance(10_000);
    expect(gaveUp).toHaveLength(1);
  });

  it('0 never gives up and sets no timer; close() stops it', () => {
    const off = setup(0);
    off.desktop.ready = false;
    off.clock.advance(3_600_000);
    expect(off.gaveUp).toEqual([]);
    expect(off.clock.pending()).toBe(0);
    const on = setup();
    on.watch.close();
    on.desktop.ready = false;
    on.clock.advance(60_000);
    expect(on.gaveUp).toEqual([]);
  });
});
