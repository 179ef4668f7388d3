import type { AuditDetail } from '@boxroom/contracts';

const KEY = /^[A-Za-z][A-Za-z0-9_.]{0,63}$/;
const MAX_STRING = 512;
/** Keys whose values are credentials whatever the caller meant: never stored. */
const SECRET_KEY = /token|secret|invite|cookie|password|sig|authorization|csrf/i;

export type DetailInput = Record<string, string | number | boolean | null | undefined>;

/**
 * What may go into an entry's detail: flat facts, no secret. Keys that name a credential are dropped,
 * URLs lose their query and fragment (a start page's query may carry a session or an API key), strings
 * are cut at 512 characters, undefined values left out.
 */
export function cleanDetail(input: DetailInput): AuditDetail {
  const out: AuditDetail = {};
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined || !KEY.test(k) || SECRET_KEY.test(k)) continue;
    if (typeof v === 'number' && !Number.isFinite(v)) continue;
    out[k] = typeof v === 'string' ? withoutQuery(v).slice(0, MAX_STRING) : v;
  }
  return out;
}

/** A URL without its query and fragment; anything else as it is. */
export function withoutQuery(s: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) return s;
  try {
    const u = new URL(s);
    u.search = '';
    u.hash = '';
    // no user:password@ either
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return s.replace(/[?#].*$/, '');
  }
}
