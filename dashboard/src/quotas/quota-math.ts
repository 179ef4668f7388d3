import type { QuotaLimits } from '@boxroom/contracts';
import type { QuotaOverrides, RoomUsageEntry } from '../store/quota-entry.js';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** What admins, operators and the admin token get: no limit at all. */
export const UNCAPPED: QuotaLimits = Object.freeze({
  roomsAtOnce: null,
  roomHoursPerDay: null,
  recordingBytes: null,
});

/** Midnight UTC of the day `nowMs` falls in. */
export function utcDayStart(nowMs: number): number {
  return Math.floor(nowMs / DAY_MS) * DAY_MS;
}

/**
 * The time (ms) the entries ran within today (UTC) up to `nowMs`: each entry's [startedAt, endedAt]
 * (a running one: up to now) clipped to [midnight, now], summed. A room that started yesterday
 * counts from midnight; one that ended before midnight counts nothing. Pure; in whole ms, so that
 * what is left of a limit is exact.
 */
export function roomMsToday(entries: readonly RoomUsageEntry[], nowMs: number): number {
  const from = utcDayStart(nowMs);
  let ms = 0;
  for (const e of entries) {
    const end = Math.min(e.endedAt ?? nowMs, nowMs);
    const start = Math.max(e.startedAt, from);
    if (end > start) ms += end - start;
  }
  return ms;
}

/** roomMsToday in hours. */
export const roomHoursToday = (entries: readonly RoomUsageEntry[], nowMs: number): number =>
  roomMsToday(entries, nowMs) / HOUR_MS;

/** The defaults with an account's own limits over them (absent: the default; null: none). Pure. */
export function effectiveLimits(defaults: QuotaLimits, overrides: QuotaOverrides): QuotaLimits {
  return {
    roomsAtOnce: overrides.roomsAtOnce !== undefined ? overrides.roomsAtOnce : defaults.roomsAtOnce,
    roomHoursPerDay:
      overrides.roomHoursPerDay !== undefined ? overrides.roomHoursPerDay : defaults.roomHoursPerDay,
    recordingBytes:
      overrides.recordingBytes !== undefined ? overrides.recordingBytes : defaults.recordingBytes,
  };
}

/**
 * A new room's max age under what is left of today's room-hours: the smaller of its own (0: none)
 * and the whole seconds left, so that the rooms' max ages never add up to more than the limit.
 * Callers refuse a create with less than a second left; a room never gets 0 (which would mean
 * "no limit"). Pure.
 */
export function cappedMaxAgeS(maxAgeS: number, leftS: number): number {
  const left = Math.max(1, Math.floor(leftS));
  return maxAgeS > 0 ? Math.min(maxAgeS, left) : left;
}

/** A running room: when it was created and the max age it runs with now (0: none). */
export interface RunningRoom {
  createdAt: number;
  maxAgeS: number;
}

/**
 * The time (ms) running rooms may still run from `nowMs` until their max age: each room's
 * createdAt + maxAgeS - now, none for a room past it, Infinity when one has no max age. What they
 * ran already is not in it (roomMsToday counts that), so the two add up to all a room may take. Pure.
 */
export function promisedMs(rooms: readonly RunningRoom[], nowMs: number): number {
  let ms = 0;
  for (const r of rooms) {
    if (r.maxAgeS <= 0) return Infinity;
    ms += Math.max(0, r.createdAt + r.maxAgeS * 1000 - nowMs);
  }
  return ms;
}

/**
 * The longest max age (whole s) a running room created at `createdAt` may get when `leftMs` of
 * the day's room-hours are neither used nor promised to other rooms: what it ran since its create
 * plus that (its own time so far is in what was used, so it is given back). Pure.
 */
export function longestMaxAgeS(createdAt: number, leftMs: number, nowMs: number): number {
  return Math.floor((nowMs - createdAt + leftMs) / 1000);
}

/**
 * True when a room's max age going `from` -> `to` promises it no more time: unchanged, or an end
 * sooner than before (any end, where there was none). Pure.
 */
export function noLonger(from: number, to: number): boolean {
  return to === from || (to > 0 && (from === 0 || to < from));
}

/** Bytes for people: `12.3 MiB` (one decimal), the unit of BOXROOM_QUOTA_RECORDING_MB. */
export function formatBytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
