import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, importPKCS8 } from 'jose';
import type { Role } from '@boxroom/contracts';

export interface TestKeys {
  publicPem: string;
  privatePem: string;
}

export function makeKeys(): TestKeys {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** Signs a participant token the way the dashboard does. */
export async function signToken(
  keys: TestKeys,
  claims: {
    room: string;
    sub: string;
    role: Role;
    name?: string;
    ttlS?: number;
    /** issue time, s since epoch (default: now) */
    iat?: number;
    /** 'boxroom-agent' for the dashboard's own tokens */
    aud?: string;
  },
): Promise<string> {
  const key = await importPKCS8(keys.privatePem, 'EdDSA');
  const now = claims.iat ?? Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ room: claims.room, role: claims.role, name: claims.name ?? claims.sub });
  if (claims.aud) jwt.setAudience(claims.aud);
  return jwt
    .setProtectedHeader({ alg: 'EdDSA' })
    .setIssuer('boxroom')
    .setSubject(claims.sub)
    .setIssuedAt(now)
    .setExpirationTime(now + (claims.ttlS ?? 600))
    .sign(key);
}
