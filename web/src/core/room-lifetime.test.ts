import { describe, expect, it } from 'vitest';
import { ROOM_TIMEOUT_MAX_S } from '@boxroom/contracts';
import { durationText, extendBody, maxAgeEnd, timeoutsFromMinutes } from './room-lifetime.js';

const T0 = Date.parse('2026-01-01T10:00:00Z');
const room = (maxAgeS: number) => ({
  createdAt: new Date(T0).toISOString(),
  timeouts: { maxAgeS, noViewersS: 0, noInputS: 0 },
});

describe('room lifetime', () => {
  it('says durations for people', () => {
    expect([0, 45, 600, 3600, 5400, 2 * 86400 + 3 * 3600].map(durationText)).toEqual([
      'off',
      '45 s',
      '10 min',
      '1 h',
      '1 h 30 min',
      '2 d 3 h',
    ]);
  });

  it('the max age ends the room at its creation plus the max age; none without one', () => {
    expect(maxAgeEnd(room(600))).toBe(T0 + 600_000);
    expect(maxAgeEnd(room(0))).toBeNull();
  });

  it('extends from the old end, or from now when that is past; never beyond the contract maximum', () => {
    expect(extendBody(room(600), 900, T0 + 300_000)).toEqual({ timeouts: { maxAgeS: 1500 } });
    // already past its end (the reaper has not come yet): the time is added from now
    expect(extendBody(room(600), 900, T0 + 700_000)).toEqual({ timeouts: { maxAgeS: 1600 } });
    expect(extendBody(room(ROOM_TIMEOUT_MAX_S), 3600, T0)).toEqual({
      timeouts: { maxAgeS: ROOM_TIMEOUT_MAX_S },
    });
    expect(extendBody(room(0), 900, T0)).toBeNull();
  });

  it('reads the create form: minutes to seconds, blank left to the defaults, 0 off', () => {
    expect(timeoutsFromMinutes({ maxAgeS: '', noViewersS: '', noInputS: ' ' })).toBeUndefined();
    expect(timeoutsFromMinutes({ maxAgeS: '90', noViewersS: '0', noInputS: '' })).toEqual({
      maxAgeS: 5400,
      noViewersS: 0,
    });
  });
});
