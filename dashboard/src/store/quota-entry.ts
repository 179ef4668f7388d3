import type { QuotaLimits } from '@boxroom/contracts';

/**
 * An account's own limits as an admin set them (PUT /api/accounts/:id/quota): a limit that is
 * absent follows the dashboard's default (BOXROOM_QUOTA_*), null lifts it, a number replaces it.
 */
export type QuotaOverrides = Partial<QuotaLimits>;

/**
 * One room in the room-hours ledger: written when a creator's room is created and when it ends
 * (deleted, expired, failed), so the hours of a UTC day are summed over what ran that day, rooms
 * still running included. Rooms of admins and operators have none.
 */
export interface RoomUsageEntry {
  room: string;
  /** the creator's account id (the room's ownerId) */
  owner: string;
  /** ms since epoch */
  startedAt: number;
  /** ms since epoch; null while the room runs */
  endedAt: number | null;
}

/** `overrides` with `patch` applied: keys present replace (null included), absent keys stay. Pure. */
export function patchOverrides(overrides: QuotaOverrides, patch: QuotaOverrides): QuotaOverrides {
  const next: QuotaOverrides = { ...overrides };
  for (const key of ['roomsAtOnce', 'roomHoursPerDay', 'recordingBytes'] as const) {
    if (patch[key] !== undefined) next[key] = patch[key];
  }
  return next;
}
