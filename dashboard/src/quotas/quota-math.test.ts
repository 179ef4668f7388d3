import { describe, expect, it } from 'vitest';
import {
  cappedMaxAgeS,
  effectiveLimits,
  longestMaxAgeS,
  noLonger,
  promisedMs,
  roomHoursToday,
  roomMsToday,
  utcDayStart,
} from './quota-math.js';

const T = (iso: string) => Date.parse(iso);
const entry = (startedAt: string, endedAt: string | null, room = 'r') => ({
  room,
  owner: 'alice',
  startedAt: T(startedAt),
  endedAt: endedAt === null ? null : T(endedAt),
});

describe('room-hours of today (UTC)', () => {
  const now = T('2026-12-03T10:00:00Z');

  it('starts the day at midnight UTC', () => {
    expect(utcDayStart(now)).toBe(T('2026-12-03T00:00:00Z'));
    expect(utcDayStart(T('2026-12-03T00:00:00Z'))).toBe(T('2026-12-03T00:00:00Z'));
    expect(utcDayStart(T('2026-12-02T23:59:59.999Z'))).toBe(T('2026-12-02T00:00:00Z'));
  });

  it('counts a room across midnight from midnight only, and one ended before midnight not at all', () => {
    expect(roomHoursToday([entry('2026-12-02T22:00:00Z', '2026-12-03T01:30:00Z')], now)).toBe(1.5);
    expect(roomHoursToday([entry('2026-12-02T20:00:00Z', '2026-12-02T23:59:00Z')], now)).toBe(0);
    // still running since yesterday: midnight to now
    expect(roomHoursToday([entry('2026-12-02T23:00:00Z', null)], now)).toBe(10);
  });

  it('sums rooms that ran at the same time (room-hours, not wall-clock hours)', () => {
    const both = [
      entry('2026-12-03T08:00:00Z', '2026-12-03T09:00:00Z', 'a'),
      entry('2026-12-03T08:30:00Z', null, 'b'),
    ];
    expect(roomHoursToday(both, now)).toBe(2.5);
  });

  it('counts nothing after now (an entry ended by a clock ahead) and nothing negative', () => {
    expect(roomHoursToday([entry('2026-12-03T09:00:00Z', '2026-12-03T12:00:00Z')], now)).toBe(1);
    expect(roomHoursToday([entry('2026-12-03T11:00:00Z', null)], now)).toBe(0);
  });
});

describe('limits', () => {
  const defaults = { roomsAtOnce: 2, roomHoursPerDay: 8, recordingBytes: null };

  it("an account's own override the defaults: absent follows, null lifts, a number replaces", () => {
    expect(effectiveLimits(defaults, {})).toEqual(defaults);
    expect(effectiveLimits(defaults, { roomsAtOnce: null, recordingBytes: 5 })).toEqual({
      roomsAtOnce: null,
      roomHoursPerDay: 8,
      recordingBytes: 5,
    });
    expect(effectiveLimits(defaults, { roomHoursPerDay: 0 }).roomHoursPerDay).toBe(0);
  });

  it("caps a new room's max age to the whole seconds left, never to 0 (which would mean none)", () => {
    expect(cappedMaxAgeS(0, 1800)).toBe(1800);
    expect(cappedMaxAgeS(600, 1800)).toBe(600);
    expect(cappedMaxAgeS(3600, 1799.8)).toBe(1799); // rounded up, rooms together would go over
    expect(cappedMaxAgeS(0, 0.1)).toBe(1);
  });
});

describe('room-hours promised to running rooms', () => {
  const now = T('2026-12-03T10:00:00Z');
  const created = (iso: string, maxAgeS: number) => ({ createdAt: T(iso), maxAgeS });

  it('sums what each may still run until its max age; nothing for one past it', () => {
    expect(promisedMs([], now)).toBe(0);
    expect(
      promisedMs([created('2026-12-03T09:30:00Z', 3600), created('2026-12-03T10:00:00Z', 1200)], now),
    ).toBe(30 * 60_000 + 20 * 60_000);
    expect(promisedMs([created('2026-12-03T08:00:00Z', 3600)], now)).toBe(0);
  });

  it('is unbounded when a room has no max age', () => {
    expect(promisedMs([created('2026-12-03T09:30:00Z', 3600), created('2026-12-03T09:00:00Z', 0)], now)).toBe(
      Infinity,
    );
  });

  it('with what ran today adds up to all of a room: its max age (a room started today)', () => {
    const room = created('2026-12-03T09:15:00Z', 5400);
    const ran = roomMsToday([entry('2026-12-03T09:15:00Z', null)], now);
    expect(ran + promisedMs([room], now)).toBe(5400_000);
  });
});

describe('extending a running room', () => {
  const now = T('2026-12-03T10:00:00Z');

  it('may run what it ran since its create plus what is left (whole seconds)', () => {
    expect(longestMaxAgeS(T('2026-12-03T09:00:00Z'), 30 * 60_000, now)).toBe(5400);
    // created yesterday: its time before midnight is yesterday's, but its max age counts from its create
    expect(longestMaxAgeS(T('2026-12-02T23:00:00Z'), 0, now)).toBe(11 * 3600);
    expect(longestMaxAgeS(T('2026-12-03T09:59:59.500Z'), 999, now)).toBe(1);
    // more promised than left: shorter than it ran already
    expect(longestMaxAgeS(T('2026-12-03T09:00:00Z'), -1800_000, now)).toBe(1800);
  });

  it('costs nothing when unchanged or sooner; any end is sooner than none; none is never sooner', () => {
    expect(noLonger(3600, 3600)).toBe(true);
    expect(noLonger(3600, 1800)).toBe(true);
    expect(noLonger(0, 0)).toBe(true);
    expect(noLonger(0, 999_999)).toBe(true);
    expect(noLonger(3600, 3601)).toBe(false);
    expect(noLonger(3600, 0)).toBe(false);
  });
});
