import { describe, expect, it } from 'vitest';
import { FakeClock } from '../testing/fake-clock.js';
import { ExpiryWatch, type ExpiryNotice, type ExpiryTimeouts } from './expiry-watch.js';
import type { RoomExpiry } from '@boxroom/contracts';

const S = 1_000;
const MIN = 60 * S;

function setup(t: Partial<ExpiryTimeouts>, createdAgo = 0) {
  const clock = new FakeClock();
  const watch = new ExpiryWatch({
    timeouts: { maxAgeMs: 0, noViewersMs: 0, noInputMs: 0, ...t },
    createdAt: clock.now() - createdAgo,
    clock,
  });
  const log: Array<[string, ExpiryNotice | RoomExpiry]> = [];
  watch.on('warning', (n) => log.push(['warning', n]));
  watch.on('cleared', (n) => log.push(['cleared', n]));
  watch.on('expired', (n) => log.push(['expired', n]));
  watch.start();
  return { clock, watch, log, t0: clock.now() };
}

describe('ExpiryWatch', () => {
  it('with every timeout off arms no timer and never expires', () => {
    const { clock, watch, log } = setup({});
    clock.advance(365 * 24 * 3600 * S);
    expect(clock.pending()).toBe(0);
    expect(watch.expired()).toBeNull();
    expect(log).toEqual([]);
  });

  it('max age: warns a minute before, then expires, whatever the activity', () => {
    const { clock, watch, log, t0 } = setup({ maxAgeMs: 10 * MIN });
    watch.setViewers(3);
    clock.advance(9 * MIN - 1);
    expect(log).toEqual([]);
    clock.advance(1);
    expect(log).toEqual([['warning', { reason: 'max-age', at: t0 + 10 * MIN }]]);
    watch.inputSeen();
    clock.advance(MIN);
    expect(log.at(-1)).toEqual(['expired', { reason: 'max-age', at: t0 + 10 * MIN }]);
    expect(watch.expired()).toEqual({ reason: 'max-age', at: t0 + 10 * MIN });
    expect(clock.pending()).toBe(0);
  });

  it('max age counts from the room`s creation, not from the agent`s start', () => {
    const { clock, log } = setup({ maxAgeMs: 10 * MIN }, 9 * MIN + 30 * S);
    expect(log.map((l) => l[0])).toEqual(['warning']);
    clock.advance(30 * S);
    expect(log.map((l) => l[0])).toEqual(['warning', 'expired']);
  });

  it('a timeout shorter than two minutes warns at half time', () => {
    const { clock, log } = setup({ noViewersMs: 10 * S });
    clock.advance(5 * S - 1);
    expect(log).toEqual([]);
    clock.advance(1);
    expect(log.map((l) => l[0])).toEqual(['warning']);
    clock.advance(5 * S);
    expect(log.map((l) => l[0])).toEqual(['warning', 'expired']);
  });

  it('no viewers: the clock runs only while nobody watches, and a viewer clears the warning', () => {
    const { clock, watch, log, t0 } = setup({ noViewersMs: 5 * MIN });
    clock.advance(4 * MIN);
    expect(log).toEqual([['warning', { reason: 'no-viewers', at: t0 + 5 * MIN }]]);
    expect(watch.pending()).toEqual([{ reason: 'no-viewers', at: t0 + 5 * MIN }]);
    watch.setViewers(1);
    expect(watch.pending()).toEqual([]);
    expect(log.at(-1)?.[0]).toBe('cleared');
    expect(clock.pending()).toBe(0);
    clock.advance(60 * MIN);
    watch.setViewers(2);
    watch.setViewers(0);
    const left = clock.now();
    clock.advance(5 * MIN);
    expect(log.at(-1)).toEqual(['expired', { reason: 'no-viewers', at: left + 5 * MIN }]);
  });

  it('no input: input only stores a timestamp; the timer re-arms for the remainder', () => {
    const { clock, watch, log } = setup({ noInputMs: 10 * MIN });
    clock.advance(5 * MIN);
    for (let i = 0; i < 1000; i++) watch.inputSeen();
    expect(clock.pending()).toBe(1);
    clock.advance(4 * MIN); // the first timer (at 9 min) fires and re-arms for 14 min
    expect(log).toEqual([]);
    clock.advance(5 * MIN);
    expect(log.map((l) => l[0])).toEqual(['warning']);
    watch.inputSeen();
    expect(log.map((l) => l[0])).toEqual(['warning', 'cleared']);
    clock.advance(10 * MIN);
    expect(log.map((l) => l[0])).toEqual(['warning', 'cleared', 'warning', 'expired']);
    expect(watch.expired()?.reason).toBe('no-input');
  });

  it('the reason that runs out first wins, and expiry is announced once', () => {
    const { clock, watch, log } = setup({ maxAgeMs: 30 * MIN, noViewersMs: 20 * MIN, noInputMs: 10 * MIN });
    watch.setViewers(1);
    clock.advance(10 * MIN);
    expect(log.filter((l) => l[0] === 'expired')).toEqual([
      ['expired', expect.objectContaining({ reason: 'no-input' })],
    ]);
    watch.setViewers(0);
    watch.inputSeen();
    clock.advance(60 * MIN);
    expect(log.filter((l) => l[0] === 'expired')).toHaveLength(1);
    expect(clock.pending()).toBe(0);
  });

  it('timeouts longer than a timer can hold (24.8 days) are re-armed, not fired early', () => {
    const DAY = 24 * 3600 * S;
    const { clock, watch } = setup({ maxAgeMs: 30 * DAY });
    expect(Math.max(...clock.delays)).toBeLessThanOrEqual(2 ** 31 - 1);
    clock.advance(29 * DAY);
    expect(watch.expired()).toBeNull();
    clock.advance(DAY);
    expect(watch.expired()?.reason).toBe('max-age');
  });

  it('close stops the clocks', () => {
    const { clock, watch, log } = setup({ noViewersMs: MIN });
    watch.close();
    clock.advance(10 * MIN);
    expect(log).toEqual([]);
    expect(clock.pending()).toBe(0);
  });

  describe('setTimeouts (the room was extended)', () => {
    it('takes back an announced max-age warning when the end moves past the lead, and does not end at the old time', () => {
      const { clock, watch, log, t0 } = setup({ maxAgeMs: 10 * MIN });
      clock.advance(9 * MIN + 30 * S);
      expect(log).toEqual([['warning', { reason: 'max-age', at: t0 + 10 * MIN }]]);
      watch.setTimeouts({ maxAgeMs: 25 * MIN, noViewersMs: 0, noInputMs: 0 });
      expect(log.at(-1)).toEqual(['cleared', { reason: 'max-age', at: t0 + 25 * MIN, extended: true }]);
      expect(watch.pending()).toEqual([]);
      clock.advance(MIN);
      expect(watch.expired()).toBeNull();
      // warned again a minute before the new end, then it ends there
      clock.advance(13 * MIN + 30 * S);
      expect(log.at(-1)).toEqual(['warning', { reason: 'max-age', at: t0 + 25 * MIN }]);
      clock.advance(MIN);
      expect(watch.expired()).toEqual({ reason: 'max-age', at: t0 + 25 * MIN });
    });

    it('an end moved but still within the lead is announced again with its new time', () => {
      const { clock, watch, log, t0 } = setup({ maxAgeMs: 10 * MIN });
      clock.advance(9 * MIN + 30 * S);
      watch.setTimeouts({ maxAgeMs: 10 * MIN + 20 * S, noViewersMs: 0, noInputMs: 0 });
      expect(log.slice(1)).toEqual([
        ['cleared', { reason: 'max-age', at: t0 + 10 * MIN + 20 * S, extended: true }],
        ['warning', { reason: 'max-age', at: t0 + 10 * MIN + 20 * S }],
      ]);
      expect(watch.pending()).toEqual([{ reason: 'max-age', at: t0 + 10 * MIN + 20 * S }]);
    });

    it('the same timeouts again change nothing; a shorter one can end the room at once', () => {
      const { clock, watch, log } = setup({ maxAgeMs: 10 * MIN });
      clock.advance(9 * MIN + 30 * S);
      watch.setTimeouts({ maxAgeMs: 10 * MIN, noViewersMs: 0, noInputMs: 0 });
      expect(log.map((l) => l[0])).toEqual(['warning']);
      watch.setTimeouts({ maxAgeMs: 5 * MIN, noViewersMs: 0, noInputMs: 0 });
      expect(log.map((l) => l[0])).toEqual(['warning', 'cleared', 'expired']);
      expect(watch.expired()?.reason).toBe('max-age');
    });

    it('after the end, nothing is taken back', () => {
      const { clock, watch, log } = setup({ maxAgeMs: 10 * MIN });
      clock.advance(10 * MIN);
      watch.setTimeouts({ maxAgeMs: 60 * MIN, noViewersMs: 0, noInputMs: 0 });
      expect(log.map((l) => l[0])).toEqual(['warning', 'expired']);
      expect(watch.expired()).not.toBeNull();
    });
  });
});
