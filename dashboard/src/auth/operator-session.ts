import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AccountRef } from '@boxroom/contracts';
import { Value } from 'typebox/value';

export const SESSION_COOKIE = 'boxroom_operator';
export const CSRF_HEADER = 'x-csrf-token';
/** An operator's browser session lasts a working day; signing in again is one paste. */
export const SESSION_TTL_MS = 12 * 3600_000;

/** A cookie longer than this is not ours (v2 carries an account: its name is 128 characters at most). */
const MAX_COOKIE_CHARS = 1024;

export const b64 = (b: Buffer) => b.toString('base64url');

/** What a valid session cookie says: its CSRF token, its end, and for an OIDC session its account. */
export interface VerifiedSession {
  csrf: string;
  expiresAt: number;
  /** null: the admin token's session (the break-glass admin account) */
  account: AccountRef | null;
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The operator's browser session, so the admin token never sits where page scripts can read it:
 * the page trades it once (POST /api/session) for an HttpOnly, SameSite=Strict cookie. The cookie
 * is stateless and signed with a key derived from the invite key and the admin token, so sessions
 * survive a dashboard restart (on every replica) and all die when the admin token changes:
 * `v1.<expiresAt>.<nonce>.<mac>` for the admin token, `v2.<expiresAt>.<nonce>.<account>.<mac>` for
 * an account signed in with OpenID Connect (`account`: base64url JSON of its id, name and role as
 * the provider's claims gave them at sign-in; they hold until the session ends). State-changing requests authenticated by the cookie must also carry the session's
 * CSRF token (an HMAC of its nonce) in `x-csrf-token`, which only a same-origin page can learn
 * (GET /api/session answers it, and no CORS header lets another origin read that answer).
 */
export class OperatorSessions {
  private readonly key: Buffer;

  constructor(
    inviteKey: Buffer,
    adminToken: string,
    private readonly now: () => number = Date.now,
  ) {
    const admin = createHash('sha256').update(adminToken).digest('hex');
    this.key = createHmac('sha256', inviteKey).update(`operator-session:${admin}`).digest();
  }

  /** A new session (of `account`, or of the admin token): the cookie value, its CSRF token and end. */
  issue(account: AccountRef | null = null): { cookie: string } & VerifiedSession {
    const expiresAt = this.now() + SESSION_TTL_MS;
    const nonce = b64(randomBytes(18));
    const ref = account && { id: account.id, name: account.name, role: account.role };
    const body = ref
      ? `v2.${expiresAt}.${nonce}.${b64(Buffer.from(JSON.stringify(ref)))}`
      : `v1.${expiresAt}.${nonce}`;
    return { cookie: `${body}.${this.mac(body)}`, csrf: this.csrfOf(nonce), expiresAt, account: ref };
  }

  /** The session, or null for a forged, altered or expired cookie. */
  verify(cookie: string | undefined): VerifiedSession | null {
    if (!cookie || cookie.length > MAX_COOKIE_CHARS) return null;
    const m =
      /^(v([12])\.(\d{1,15})\.([A-Za-z0-9_-]{1,64})(?:\.([A-Za-z0-9_-]{1,900}))?)\.([A-Za-z0-9_-]{43})$/.exec(
        cookie,
      );
    if (!m) return null;
    const [, body, version, exp, nonce, payload, mac] = m as unknown as [
      string,
      string,
      string,
      string,
      string,
      string | undefined,
      string,
    ];
    if ((version === '2') !== (payload !== undefined)) return null;
    if (!safeEqual(mac, this.mac(body))) return null;
    const expiresAt = Number(exp);
    if (expiresAt <= this.now()) return null;
    const account = payload === undefined ? null : accountOf(payload);
    if (payload !== undefined && !account) return null;
    return { csrf: this.csrfOf(nonce), expiresAt, account };
  }

  /** True when `sent` is the session's CSRF token. */
  csrfOk(session: { csrf: string }, sent: string | string[] | undefined): boolean {
    return typeof sent === 'string' && safeEqual(sent, session.csrf);
  }

  private mac(body: string): string {
    return b64(createHmac('sha256', this.key).update(body).digest());
  }

  private csrfOf(nonce: string): string {
    return b64(createHmac('sha256', this.key).update(`csrf.${nonce}`).digest());
  }
}

/** The account of a v2 cookie: signed by us, and still checked, so no malformed one becomes a principal. */
function accountOf(payload: string): AccountRef | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return Value.Check(AccountRef, v) ? { id: v.id, name: v.name, role: v.role } : null;
  } catch {
    return null;
  }
}

/** One cookie's value from a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The Set-Cookie of a session (maxAgeS 0: cleared). Secure when the page came over HTTPS. */
export function sessionCookie(value: string, maxAgeS: number, secure: boolean): string {
  return httpOnlyCookie(SESSION_COOKIE, value, { path: '/', sameSite: 'Strict', maxAgeS, secure });
}

/** A Set-Cookie no page script can read. */
export function httpOnlyCookie(
  name: string,
  value: string,
  o: { path: string; sameSite: 'Strict' | 'Lax'; maxAgeS: number; secure: boolean },
): string {
  return [
    `${name}=${value}`,
    `Path=${o.path}`,
    'HttpOnly',
    `SameSite=${o.sameSite}`,
    `Max-Age=${o.maxAgeS}`,
    ...(o.secure ? ['Secure'] : []),
  ].join('; ');
}
