import { constants } from 'node:os';
import { ROOM_FAILURE_MAX_CHARS } from '@boxroom/contracts';
import type { RoomRecord } from '../rooms/room-driver.js';

/**
 * Why a room failed, as every driver words it: the runtime's own words (an exit, a task's error, a
 * lost node) made one short line that carries no secret, since it reaches the API, the page and
 * webhooks. The drivers only say what happened; the wording and the bounds live here.
 */

/**
 * `name=value` or `name: value` where the name ends in a word that says secret (BOXROOM_TOKEN=...,
 * password: ..., X-Api-Key=..., BOXROOM_SIGNING_KEY=..., Authorization: ...); `signal: killed` is no secret.
 */
const SECRET_VALUE =
  /\b([\w.-]*?(?:token|secret|passw(?:or)?d|key|auth(?:orization)?|credentials?|cookie|sign(?:ature)?)s?)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;]+)/gi;
/** a URL's query and userinfo may hold a token or a password (?token=..., ?sign=..., user:pw@host) */
const URL_QUERY = /\b(\w+:\/\/)(?:[^\s/@]+@)?([^\s?#]+)[?#]\S*/gi;
const URL_USERINFO = /\b(\w+:\/\/)[^\s/@]+@/gi;
const BEARER = /\b(bearer)\s+[\w.~+/=-]+/gi;

/**
 * One line of at most ROOM_FAILURE_MAX_CHARS (longer is cut, with `…`), control characters and
 * runs of space made one space, anything that looks like a credential replaced by `[redacted]`;
 * null when nothing is left.
 */
export function failureText(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const text = raw
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f\s]+/g, ' ')
    .trim()
    .replace(URL_QUERY, '$1$2?[redacted]')
    .replace(URL_USERINFO, '$1[redacted]@')
    .replace(BEARER, '$1 [redacted]')
    .replace(SECRET_VALUE, '$1$2[redacted]');
  if (!text) return null;
  return text.length <= ROOM_FAILURE_MAX_CHARS ? text : `${text.slice(0, ROOM_FAILURE_MAX_CHARS - 1)}…`;
}

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n, name]));

/** `SIGKILL` for 9; null for a number no signal has. */
export function signalName(n: number): string | null {
  return SIGNAL_NAMES.get(n) ?? null;
}

/**
 * A process's end in words: `<what> was killed by SIGKILL`, `<what> exited with code 1`. An exit
 * code above 128 is how a shell or a container's init reports a signal: it is named as well.
 */
export function exitFailure(what: string, code: number | null, signal: string | null = null): string {
  if (signal) return `${what} was killed by ${signal}`;
  if (code === null) return `${what} ended`;
  const sig = code > 128 ? signalName(code - 128) : null;
  return `${what} exited with code ${code}${sig ? ` (${sig})` : ''}`;
}

/**
 * A record with the failure its status allows: a failed room keeps `failure` (the one given, else the
 * record's own, else null); any other status has none, so a room that recovers drops it.
 */
export function withFailure(r: RoomRecord, failure?: string | null): RoomRecord {
  if (r.status === 'failed') return { ...r, failure: failureText(failure ?? r.failure) };
  if (r.failure === undefined) return r;
  const rest = { ...r };
  delete rest.failure;
  return rest;
}
