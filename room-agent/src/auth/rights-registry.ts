import {
  INVITE_ROLES,
  WS_CLOSE,
  type InviteRole,
  type Role,
  type RoomRights,
  type TokenClaims,
} from '@boxroom/contracts';
import { SYSTEM_CLOCK, type Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { AuthError } from './token-verifier.js';

/** Ends one connection with a close code and a reason (HTTP responses just end). */
export type CloseFn = (code: number, reason: string) => void;

interface Connection {
  sub: string;
  role: Role;
  /** of the newest token that vouched for this connection (the one it opened with, or a renewal) */
  iat: number;
  exp: number;
  close: CloseFn;
  timer: unknown;
}

const isInviteRole = (role: Role): role is InviteRole => (INVITE_ROLES as readonly Role[]).includes(role);

/**
 * A token is checked when a connection opens; this keeps it checked while the connection lives.
 * Every stream, input and session connection is tracked with its token's claims: it closes with 4410
 * when its `exp` passes (one timer per connection), 4412 when its participant is kicked and 4411
 * when its role's invite is revoked after the token was issued. A renewal (a newer token of the same
 * participant, sent on the session socket) moves the deadline of all that participant's
 * connections. Kicks and revocations come from the dashboard (POST /rights) and also refuse new
 * connections and calls (`check`).
 */
export class RightsRegistry {
  private readonly connections = new Set<Connection>();
  /** participant id -> s since epoch after which none of their tokens is valid anyway */
  private readonly kicked = new Map<string, number>();
  private readonly revokedBefore: Partial<Record<InviteRole, number>> = {};

  constructor(
    private readonly log: Logger,
    private readonly clock: Clock = SYSTEM_CLOCK,
  ) {}

  /** Throws AuthError (with the close code to use) when these valid claims have lost their right. */
  check(claims: TokenClaims): void {
    // The dashboard's own tokens are not a participant's: no kick or revocation applies to them.
    if (claims.aud !== undefined) return;
    const until = this.kicked.get(claims.sub);
    if (until !== undefined && until >= this.nowS()) {
      throw new AuthError('you were removed from this room', WS_CLOSE.kicked);
    }
    if (this.isRevoked(claims.role, claims.iat)) {
      throw new AuthError('the invite for your role was revoked', WS_CLOSE.inviteRevoked);
    }
  }

  /** Watches a connection opened with `claims`; the returned function stops (call it on close). */
  track(claims: TokenClaims, close: CloseFn): () => void {
    const conn: Connection = {
      sub: claims.sub,
      role: claims.role,
      iat: claims.iat,
      exp: claims.exp,
      close,
      timer: null,
    };
    this.connections.add(conn);
    this.arm(conn);
    return () => this.untrack(conn);
  }

  /**
   * A newer valid token of a participant: their open connections now live until its `exp`.
   * Returns how many connections it moved.
   */
  renew(claims: TokenClaims): number {
    this.check(claims);
    let moved = 0;
    for (const conn of this.connections) {
      if (conn.sub !== claims.sub || claims.exp <= conn.exp) continue;
      conn.exp = claims.exp;
      conn.iat = Math.max(conn.iat, claims.iat);
      this.arm(conn);
      moved += 1;
    }
    return moved;
  }

  /** Merges the dashboard's kicks and revocations and closes every connection they end. */
  apply(rights: RoomRights): void {
    const now = this.nowS();
    for (const [id, until] of this.kicked) if (until < now) this.kicked.delete(id);
    const newlyKicked = new Set<string>();
    for (const { participantId, until } of rights.kicked) {
      if (until < now) continue;
      if (!this.kicked.has(participantId)) newlyKicked.add(participantId);
      this.kicked.set(participantId, Math.max(until, this.kicked.get(participantId) ?? 0));
    }
    for (const role of INVITE_ROLES) {
      const before = rights.revokedBefore[role];
      if (before !== undefined && before > (this.revokedBefore[role] ?? 0)) this.revokedBefore[role] = before;
    }
    for (const conn of [...this.connections]) {
      if (this.kicked.has(conn.sub)) {
        this.end(conn, WS_CLOSE.kicked, 'you were removed from this room');
      } else if (this.isRevoked(conn.role, conn.iat)) {
        this.end(conn, WS_CLOSE.inviteRevoked, 'the invite for your role was revoked');
      }
    }
    if (newlyKicked.size > 0) this.log.info({ participants: [...newlyKicked] }, 'participants kicked');
  }

  /** Participant ids kicked and not yet forgotten (the lease drops them). */
  isKicked(participantId: string): boolean {
    return this.kicked.has(participantId);
  }

  /** Open connections tracked (tests and debugging). */
  size(): number {
    return this.connections.size;
  }

  private isRevoked(role: Role, iat: number): boolean {
    if (!isInviteRole(role)) return false;
    const before = this.revokedBefore[role];
    return before !== undefined && iat < before;
  }

  private arm(conn: Connection): void {
    if (conn.timer !== null) this.clock.clearTimeout(conn.timer);
    const ms = Math.max(0, conn.exp * 1000 - this.clock.now());
    conn.timer = this.clock.setTimeout(() => {
      conn.timer = null;
      // A timer capped at MAX_TIMER_MS may fire early: re-arm for the rest.
      if (conn.exp * 1000 > this.clock.now()) this.arm(conn);
      else this.end(conn, WS_CLOSE.tokenExpired, 'token expired: renew it or join again');
    }, ms);
  }

  private end(conn: Connection, code: number, reason: string): void {
    this.untrack(conn);
    this.log.debug({ participant: conn.sub, code }, 'closing a connection whose right ended');
    try {
      conn.close(code, reason);
    } catch (err) {
      this.log.warn({ err }, 'closing a connection failed');
    }
  }

  private untrack(conn: Connection): void {
    if (!this.connections.delete(conn)) return;
    if (conn.timer !== null) this.clock.clearTimeout(conn.timer);
    conn.timer = null;
  }

  private nowS(): number {
    return Math.floor(this.clock.now() / 1000);
  }
}
