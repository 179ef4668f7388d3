import { importSPKI, jwtVerify, errors as joseErrors, type CryptoKey as JoseKey } from 'jose';
import { Value } from 'typebox/value';
import { TOKEN_ALG, TOKEN_ISSUER, TokenClaims, WS_CLOSE } from '@boxroom/contracts';

export class AuthError extends Error {
  override name = 'AuthError';
  /** `closeCode`: what a WebSocket refused for this reason is closed with */
  constructor(
    message: string,
    readonly closeCode: number = WS_CLOSE.unauthorized,
  ) {
    super(message);
  }
}

/**
 * Verifies room tokens signed by the dashboard. The agent holds only the public key. Tokens of
 * people and the dashboard's own agent-call tokens (`aud: AGENT_AUDIENCE`, which the dashboard API
 * refuses) are both accepted when they name this room; `claims.aud` tells them apart.
 */
export class TokenVerifier {
  private constructor(
    private readonly key: JoseKey | Uint8Array,
    private readonly roomId: string,
    private readonly clockToleranceS: number,
  ) {}

  static async fromPem(publicKeyPem: string, roomId: string, clockToleranceS = 5): Promise<TokenVerifier> {
    const key = await importSPKI(publicKeyPem, TOKEN_ALG);
    return new TokenVerifier(key, roomId, clockToleranceS);
  }

  /** Returns the claims of a valid token for this room; throws AuthError with a public reason otherwise. */
  async verify(token: string | undefined | null): Promise<TokenClaims> {
    if (!token) throw new AuthError('missing token');
    if (token.length > 4096) throw new AuthError('token too long');
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        algorithms: [TOKEN_ALG],
        issuer: TOKEN_ISSUER,
        clockTolerance: this.clockToleranceS,
        requiredClaims: ['exp', 'iat', 'sub'],
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw new AuthError('token expired');
      throw new AuthError('invalid token');
    }
    if (!Value.Check(TokenClaims, payload)) throw new AuthError('invalid token claims');
    if (payload.room !== this.roomId) throw new AuthError('token is for another room');
    return payload;
  }
}

/** A token from `Authorization: Bearer`, else from `?token=` (browsers cannot set headers on a WebSocket). */
export function tokenFromRequest(
  headers: { authorization?: string | undefined },
  query: unknown,
): string | null {
  const auth = headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  if (query && typeof query === 'object' && 'token' in query) {
    const t = (query as { token: unknown }).token;
    if (typeof t === 'string') return t;
  }
  return null;
}
