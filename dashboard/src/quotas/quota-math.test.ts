import { describe, expect, it } from 'vitest';
import { cappedMaxAgeS, effectiveLimits, roomHoursToday, utcDayStart } from './quota-math.js';

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

  it("caps a new room's max age to the seconds left, never to 0 (which would mean none)", () => {
    expect(cappedMaxAgeS(0, 1800)).toBe(1800);
    expect(cappedMaxAgeS(600, 1800)).toBe(600);
    expect(cappedMaxAgeS(3600, 1799.2)).toBe(1800);
    expect(cappedMaxAgeS(0, 0.1)).toBe(1);
  });
});
