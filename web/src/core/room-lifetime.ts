import { ROOM_TIMEOUT_MAX_S, type PatchRoomBody, type ResolvedRoomTimeouts } from '@boxroom/contracts';

/** What the dashboard's Extend buttons add to a room's max age. */
export const EXTEND_STEPS_S: readonly { label: string; s: number }[] = [
  { label: '+15 min', s: 15 * 60 },
  { label: '+1 h', s: 3600 },
];

/** A number of seconds for people: "off", "45 s", "12 min", "1 h 30 min", "2 d 3 h". */
export function durationText(s: number): string {
  if (s <= 0) return 'off';
  if (s < 60) return `${Math.round(s)} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** When a room's max age ends it (ms since epoch), or null when it has none. */
export function maxAgeEnd(room: { createdAt: string; timeouts: ResolvedRoomTimeouts }): number | null {
  return room.timeouts.maxAgeS > 0 ? Date.parse(room.createdAt) + room.timeouts.maxAgeS * 1000 : null;
}

/**
 * The PATCH that gives a room `addS` more before its max age ends it: from now when it is already
 * past its old end (about to be deleted), else from that end; max age still counts from creation.
 */
export function extendBody(
  room: { createdAt: string; timeouts: ResolvedRoomTimeouts },
  addS: number,
  now = Date.now(),
): PatchRoomBody | null {
  const end = maxAgeEnd(room);
  if (end === null) return null;
  const from = Math.max(end, now);
  const maxAgeS = Math.ceil((from - Date.parse(room.createdAt)) / 1000) + addS;
  return { timeouts: { maxAgeS: Math.min(maxAgeS, ROOM_TIMEOUT_MAX_S) } };
}

/**
 * The create form's timeout fields (minutes; blank: the dashboard's default, 0: off) as the body's
 * `timeouts`, or undefined when all are blank.
 */
export function timeoutsFromMinutes(
  fields: Record<keyof ResolvedRoomTimeouts, string>,
): Partial<ResolvedRoomTimeouts> | undefined {
  const out: Partial<ResolvedRoomTimeouts> = {};
  for (const key of Object.keys(fields) as (keyof ResolvedRoomTimeouts)[]) {
    const v = fields[key].trim();
    if (v !== '') out[key] = Math.round(Number(v) * 60);
  }
  return Object.keys(out).length ? out : undefined;
}
