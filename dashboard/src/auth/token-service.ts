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
}

export interface IssuedToken {
  token: string;
  claims: TokenClaims;
}

/** Token length cap: a bearer longer than this is garbage, not worth a signature check. */
const MAX_TOKEN_CHARS = 4096;
/** The dashboard's own agent-call tokens live just long enough for one call. */
export const AGENT_CALL_TOKEN_TTL_S = 60;

/**
 * Signs and verifies room tokens (EdDSA JWTs with exactly contracts' TokenClaims).
 * Room agents verify the same tokens with the public key only. Tokens for the dashboard's own
 * calls to an agent carry `aud: AGENT_AUDIENCE`, and verify() (the dashboard API's check) refuses
 * them: such a token can leak into a room (whatever runs there may read what the agent receives)
 * and must not be worth anything at the dashboard.
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
   * A token for a person in a room (what an invite is exchanged for). `minIat`: the earliest issue
   * time it may carry; a revocation refuses its role's tokens issued up to the end of its second, so
   * tokens minted in that second start at the next one.
   */
  issue(subject: TokenSubject, ttlS: number = this.ttlS, minIat = 0): Promise<IssuedToken> {
    return this.sign(subject, ttlS, false, minIat);
  }

  /**
   * A short token for one call of the dashboard's to the agent of `subject.room` (with the agent
   * audience): the agent accepts it, the dashboard API never does.
   */
  async issueForAgent(subject: TokenSubject): Promise<string> {
    return (await this.sign(subject, AGENT_CALL_TOKEN_TTL_S, true)).token;
  }

  private async sign(
    subject: TokenSubject,
    ttlS: number,
    forAgent: boolean,
    minIat = 0,
  ): Promise<IssuedToken> {
    const iat = Math.max(this.nowS(), minIat);
    const claims: TokenClaims = {
      iss: TOKEN_ISSUER,
      ...subject,
      iat,
      exp: iat + ttlS,
      ...(forAgent ? { aud: AGENT_AUDIENCE } : {}),
    };
    const jwt = new SignJWT({ room: claims.room, role: claims.role, name: claims.name })
      .setProtectedHeader({ alg: TOKEN_ALG })
      .setIssuer(TOKEN_ISSUER)
      .setSubject(claims.sub)
      .setIssuedAt(iat)
      .setExpirationTime(claims.exp);
    if (forAgent) jwt.setAudience(AGENT_AUDIENCE);
    return { token: await jwt.sign(this.privateKey), claims };
  }

  /**
   * The claims of a valid token for the dashboard API (for `room` when given): `unauthorized` for
   * a bad, expired or agent-audience token, `forbidden` for a token of another room.
   */
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
    if (payload.aud !== undefined)
      throw errors.unauthorized('this token is for room agents only; the dashboard does not accept it');
    if (room !== undefined && payload.room !== room) throw errors.forbidden('this token is for another room');
    return payload;
  }
}
