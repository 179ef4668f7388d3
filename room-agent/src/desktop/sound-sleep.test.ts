import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SoundSleep, type SoundSignal } from './sound-sleep.js';

const IDLE_MS = 5000;

describe('SoundSleep', () => {
  let viewers: number;
  let sent: SoundSignal[];
  let unitRuns: boolean;
  let sleep: SoundSleep;

  beforeEach(() => {
    vi.useFakeTimers();
    viewers = 0;
    sent = [];
    unitRuns = true;
    sleep = new SoundSleep({
      viewers: { viewerCount: () => viewers },
      signal: (sig) => (unitRuns ? sent.push(sig) > 0 : false),
      idleMs: IDLE_MS,
      log: pino({ level: 'silent' }),
    });
  });
  afterEach(() => {
    sleep.unitEnded();
    vi.useRealTimers();
  });

  const watchers = (n: number) => {
    viewers = n;
    sleep.viewersChanged();
  };

  it('sends the sound to sleep after idleMs with nobody watching, and wakes it for the first viewer', () => {
    sleep.unitStarted();
    vi.advanceTimersByTime(IDLE_MS - 1);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual(['SIGUSR1']);
    expect(sleep.isAsleep()).toBe(true);
    watchers(1);
    watchers(2); // awake already: nothing more
    expect(sent).toEqual(['SIGUSR1', 'SIGUSR2']);
    expect(sleep.isAsleep()).toBe(false);
  });

  it('keeps the sound awake while anyone watches, and counts idleMs from the last one leaving', () => {
    sleep.unitStarted();
    watchers(1);
    vi.advanceTimersByTime(IDLE_MS * 3);
    expect(sent).toEqual([]);
    watchers(0);
    vi.advanceTimersByTime(IDLE_MS / 2);
    watchers(1); // back within idleMs: the clock starts over when they leave
    watchers(0);
    vi.advanceTimersByTime(IDLE_MS - 1);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual(['SIGUSR1']);
  });

  it('signals no unit that has not published yet or has ended; a new unit starts awake', () => {
    watchers(0);
    vi.advanceTimersByTime(IDLE_MS * 2);
    expect(sent).toEqual([]); // no unit yet: it might not have set up its signals
    sleep.unitStarted();
    vi.advanceTimersByTime(IDLE_MS);
    expect(sent).toEqual(['SIGUSR1']);
    sleep.unitEnded();
    watchers(1);
    expect(sent).toEqual(['SIGUSR1']); // the next unit is not told to wake: it starts awake
    watchers(0);
    sleep.unitStarted();
    expect(sleep.isAsleep()).toBe(false);
    vi.advanceTimersByTime(IDLE_MS);
    expect(sent).toEqual(['SIGUSR1', 'SIGUSR1']);
  });

  it('does not count the sound asleep when no unit took the signal, and never sleeps with idleMs 0', () => {
    sleep.unitStarted();
    unitRuns = false;
    vi.advanceTimersByTime(IDLE_MS);
    expect(sleep.isAsleep()).toBe(false);

    const never = new SoundSleep({
      viewers: { viewerCount: () => 0 },
      signal: (sig) => sent.push(sig) > 0,
      idleMs: 0,
      log: pino({ level: 'silent' }),
    });
    never.unitStarted();
    vi.advanceTimersByTime(IDLE_MS * 10);
    expect(sent).toEqual([]);
    never.unitEnded();
  });
});
