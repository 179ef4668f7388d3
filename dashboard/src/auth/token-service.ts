import { SignJWT, errors as joseErrors, importPKCS8, importSPKI, jwtVerify, type CryptoKey } from 'jose';
import { Value } from 'typebox/value';
import { AGENT_AUDIENCE, TOKEN_ALG, TOKEN_ISSUER, TokenClaims, type Role } from '@boxroom/contracts';
import { AppError, errors } from '../errors.js';

export interface TokenSubject {
  /** participant id */
  sub: string;
  room: string;
  role: Role;
  name: string;
  /** AGENT_AUDIENCE on the dashboard's own tokens for agents (the API refuses those) */
  aud?: typeof AGENT_AUDIENCE;
}

export interface IssuedToken {
  token: string;
  claims: TokenClaims;
}

/** Token length cap: a bearer longer than this is garbage, not worth a signature check. */
const MAX_TOKEN_CHARS = 4096;

/**
 * Signs and verifies participant tokens (EdDSA JWTs with exactly contracts' TokenClaims).
 * Room agents verify the same tokens with the public key only.
 */
export class TokenService {
  private constructor(
    private readonly privateKey: CryptoKey,
    private readonly publicKey: CryptoKey,
    private readonly ttlS: number,
    private readonly nowS: () => number,
  ) {}

  static async fromPem(
    privateKeyPem: string,
    publicKeyPem: string,
    ttlS: number,
    nowS: () => number = () => Math.floor(Date.now() / 1000),
  ): Promise<TokenService> {
    const [priv, pub] = await Promise.all([
      importPKCS8(privateKeyPem, TOKEN_ALG),
      importSPKI(publicKeyPem, TOKEN_ALG),
    ]);
    return new TokenService(priv, pub, ttlS, nowS);
  }

  /** The TTL of participant tokens (s): a kicked participant's tokens cannot outlive it. */
  get defaultTtlS(): number {
    return this.ttlS;
  }

  /**
   * `minIat`: the earliest issue time the token may carry; a revocation refuses its role's tokens
   * issued up to the end of its second, so tokens minted in that second start at the next one.
   */
  async issue(subject: TokenSubject, ttlS: number = this.ttlS, minIat = 0): Promise<IssuedToken> {
    const iat = Math.max(this.nowS(), minIat);
    const claims: TokenClaims = { iss: TOKEN_ISSUER, ...subject, iat, exp: iat + ttlS };
    const jwt = new SignJWT({ room: claims.room, role: claims.role, name: claims.name });
    if (claims.aud) jwt.setAudience(claims.aud);
    const token = await jwt
      .setProtectedHeader({ alg: TOKEN_ALG })
      .setIssuer(TOKEN_ISSUER)
      .setSubject(claims.sub)
      .setIssuedAt(iat)
      .setExpirationTime(claims.exp)
      .sign(this.privateKey);
    return { token, claims };
  }

  /** The claims of a valid token (for `room` when given); AppError `unauthorized` otherwise. */
  async verify(token: string, room?: string): Promise<TokenClaims> {
    if (!token || token.length > MAX_TOKEN_CHARS) throw errors.unauthorized('invalid token');
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, this.publicKey, {
        algorithms: [TOKEN_ALG],
        issuer: TOKEN_ISSUER,
        requiredClaims: ['exp', 'iat', 'sub'],
        currentDate: new Date(this.nowS() * 1000),
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw errors.unauthorized('token expired');
      throw new AppError('unauthorized', 'invalid token', { cause: err });
    }
    if (!Value.Check(TokenClaims, payload)) throw errors.unauthorized('invalid token claims');
    if (room !== undefined && payload.room !== room) throw errors.forbidden('token is for another room');
    return payload;
  }
}
