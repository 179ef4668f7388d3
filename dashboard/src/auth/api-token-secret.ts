import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { API_TOKEN_PREFIX } from '@boxroom/contracts';

/**
 * A personal API token's bearer: `brt_<id>_<secret>`. The id (12 lowercase letters or digits) finds
 * the stored entry; the secret (32 random bytes, base64url) is shown once and only its SHA-256 is
 * kept: it is random, so a slow hash would add nothing.
 */
const BEARER_RE = /^brt_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function mintApiToken(): { id: string; secret: string; bearer: string; digest: string } {
  // 36 letters: 252 is the largest multiple below 256, so every letter is equally likely
  const id = [...randomBytes(32)]
    .filter((b) => b < 252)
    .slice(0, 12)
    .map((b) => ID_ALPHABET[b % 36])
    .join('');
  if (id.length !== 12) return mintApiToken();
  const secret = randomBytes(32).toString('base64url');
  return { id, secret, bearer: `${API_TOKEN_PREFIX}${id}_${secret}`, digest: digestOf(secret) };
}

/** The id and secret of a bearer, or null when it is not an API token's shape. */
export function parseApiToken(bearer: string): { id: string; secret: string } | null {
  const m = BEARER_RE.exec(bearer);
  return m ? { id: m[1]!, secret: m[2]! } : null;
}

export function digestOf(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Constant time, whatever the stored digest looks like. */
export function secretMatches(secret: string, digest: string): boolean {
  const a = Buffer.from(digestOf(secret), 'hex');
  const b = Buffer.from(digest, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
