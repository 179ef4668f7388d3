import { createHmac } from 'node:crypto';
import { b64, httpOnlyCookie, safeEqual } from '../operator-session.js';

export const FLOW_COOKIE = 'boxroom_oidc';
/** The provider's page may ask for a password and a second factor: ten minutes to come back. */
export const FLOW_TTL_MS = 10 * 60_000;
/** Ours are about 250 characters; anything much longer is not ours. */
const MAX_FLOW_COOKIE_CHARS = 600;

/** What the callback must check the provider's answer against (RFC 7636, OIDC Core 3.1.2.1, 15.5.2). */
export interface OidcFlow {
  /** PKCE code verifier */
  verifier: string;
  state: string;
  nonce: string;
}

/**
 * The sign-in in flight, kept by the browser between the redirect to the provider and its return: a
 * short-lived signed HttpOnly cookie (`v1.<expiresAt>.<base64url JSON>.<mac>`), so any replica can
 * finish what another began, with nothing stored. Signed with a key of its own, derived from the
 * invite key.
 */
export class FlowCookies {
  private readonly key: Buffer;

  constructor(
    inviteKey: Buffer,
    private readonly now: () => number = Date.now,
  ) {
    this.key = createHmac('sha256', inviteKey).update('oidc-flow').digest();
  }

  seal(flow: OidcFlow): string {
    const body = `v1.${this.now() + FLOW_TTL_MS}.${b64(Buffer.from(JSON.stringify(flow)))}`;
    return `${body}.${this.mac(body)}`;
  }

  /** The flow, or null for a missing, altered, foreign or expired cookie. */
  open(value: string | undefined): OidcFlow | null {
    if (!value || value.length > MAX_FLOW_COOKIE_CHARS) return null;
    const m = /^(v1\.(\d{1,15})\.([A-Za-z0-9_-]+))\.([A-Za-z0-9_-]{43})$/.exec(value);
    if (!m || !safeEqual(m[4]!, this.mac(m[1]!)) || Number(m[2]) <= this.now()) return null;
    try {
      const f = JSON.parse(Buffer.from(m[3]!, 'base64url').toString('utf8')) as Partial<OidcFlow>;
      const ok = [f.verifier, f.state, f.nonce].every((s) => typeof s === 'string' && s.length <= 128);
      return ok ? (f as OidcFlow) : null;
    } catch {
      return null;
    }
  }

  private mac(body: string): string {
    return b64(createHmac('sha256', this.key).update(body).digest());
  }
}

/**
 * Its Set-Cookie (maxAgeS 0: cleared). SameSite=Lax, not Strict: the provider's redirect back is a
 * cross-site navigation, on which a Strict cookie would not come along. Only the callback reads it.
 */
export function flowCookie(value: string, maxAgeS: number, secure: boolean): string {
  return httpOnlyCookie(FLOW_COOKIE, value, { path: '/api/auth/oidc', sameSite: 'Lax', maxAgeS, secure });
}
