import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'boxroom_operator';
export const CSRF_HEADER = 'x-csrf-token';
/** An operator's browser session lasts a working day; signing in again is one paste. */
export const SESSION_TTL_MS = 12 * 3600_000;

const b64 = (b: Buffer) => b.toString('base64url');

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The operator's browser session, so the admin token never sits where page scripts can read it:
 * the page trades it once (POST /api/session) for an HttpOnly, SameSite=Strict cookie. The cookie
 * is stateless and signed (`v1.<expiresAt>.<nonce>.<mac>`) with a key derived from the invite key
 * and the admin token, so sessions survive a dashboard restart and die when the admin token
 * changes. State-changing requests authenticated by the cookie must also carry the session's
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

  /** A new session: the cookie value, its CSRF token and when it ends. */
  issue(): { cookie: string; csrf: string; expiresAt: number } {
    const expiresAt = this.now() + SESSION_TTL_MS;
    const nonce = b64(randomBytes(18));
    const body = `v1.${expiresAt}.${nonce}`;
    return { cookie: `${body}.${this.mac(body)}`, csrf: this.csrfOf(nonce), expiresAt };
  }

  /** The session's CSRF token and end, or null for a forged, altered or expired cookie. */
  verify(cookie: string | undefined): { csrf: string; expiresAt: number } | null {
    if (!cookie || cookie.length > 200) return null;
    const m = /^(v1\.(\d{1,15})\.([A-Za-z0-9_-]{1,64}))\.([A-Za-z0-9_-]{43})$/.exec(cookie);
    if (!m) return null;
    const [, body, exp, nonce, mac] = m as unknown as [string, string, string, string, string];
    if (!safeEqual(mac, this.mac(body))) return null;
    const expiresAt = Number(exp);
    if (expiresAt <= this.now()) return null;
    return { csrf: this.csrfOf(nonce), expiresAt };
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
  return [
    `${SESSION_COOKIE}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${maxAgeS}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}
