import type { InviteRole, RenewResult } from '@boxroom/contracts';
import { errors } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RightsPush } from './rights-push.js';
import type { RoomManager } from './room-manager.js';
import { NO_AUDIT, type AuditLog } from '../audit/audit-log.js';
import { authorize } from '../auth/abilities.js';
import type { Principal } from '../auth/principal.js';
import type { RightsService } from '../auth/rights-service.js';
import type { TokenService } from '../auth/token-service.js';

/** A kicked participant's entry outlives their last token by this much (clock skew of agents). */
const KICK_MARGIN_S = 60;

/**
 * Renewing, kicking, and what a revocation does to tokens already out. The right itself is checked
 * on every call (PrincipalResolver with the RightsService); the agent learns it through RightsPush.
 */
export class ParticipantRights {
  constructor(
    private readonly rooms: RoomManager,
    private readonly tokens: TokenService,
    private readonly rights: RightsService,
    private readonly push: RightsPush,
    private readonly log: Logger,
    private readonly audit: AuditLog = NO_AUDIT,
  ) {}

  /**
   * A fresh token for the caller: same participant id, role and name, so the agent sees the same
   * person (control, queue place and presence stay). The caller's right was checked on the way in.
   */
  async renew(p: Principal | null, id: string): Promise<RenewResult> {
    if (!p) throw errors.unauthorized();
    if (!p.token)
      throw errors.badRequest('only participant tokens are renewed; the admin token does not expire');
    if (p.room !== id) throw errors.forbidden('token is for another room');
    const record = await this.rooms.require(id);
    if (record.status === 'stopping' || record.status === 'failed') {
      throw errors.conflict(`room ${id} is ${record.status}`);
    }
    const { token, claims } = await this.tokens.issue(
      { sub: p.id, room: id, role: p.role, name: p.name },
      undefined,
      this.rights.minIat(id, p.role),
    );
    this.log.debug({ room: id, participantId: p.id }, 'token renewed');
    return { token, expiresAt: new Date(claims.exp * 1000).toISOString() };
  }

  /** Removes a participant: their tokens are refused from now on and their open sockets close (4412). */
  async kick(p: Principal | null, id: string, participantId: string): Promise<void> {
    if (!p) throw errors.unauthorized();
    const record = await this.rooms.require(id);
    await this.audit.guard(p, 'participant.kick', id, () => authorize(p, 'kick', record.spec));
    if (participantId === p.id) throw errors.badRequest('you cannot remove yourself; leave the room instead');
    // No token of theirs was issued after now (renewals are refused from now on): none outlives this.
    const until = Math.floor(Date.now() / 1000) + this.tokens.defaultTtlS + KICK_MARGIN_S;
    await this.rights.kick(id, participantId, until);
    this.log.info({ room: id, participantId, by: p.id }, 'participant removed');
    await this.audit.record(p, 'participant.kick', id, 'ok', { participantId });
    await this.push.push(id);
  }

  /** The role's invite was revoked: its tokens issued until now are refused, its sockets close (4411). */
  async revoked(id: string, role: InviteRole): Promise<void> {
    await this.rights.revoke(id, role);
    await this.push.push(id);
  }

  /** The earliest `iat` a token of `role` in room `id` may carry now. */
  minIat(id: string, role: string): number {
    return this.rights.minIat(id, role);
  }
}
