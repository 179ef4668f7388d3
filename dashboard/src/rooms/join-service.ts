import type {
  EndedRoomJoinResult,
  InviteRole,
  JoinBody,
  JoinResult,
  RoomLinks,
  ViewerToken,
} from '@boxroom/contracts';
import { AppError, errors } from '../errors.js';
import type { Logger } from '../logger.js';
import { NO_AUDIT, type AuditLog } from '../audit/audit-log.js';
import { authorize } from '../auth/abilities.js';
import type { InviteService } from '../auth/invite-service.js';
import type { Principal } from '../auth/principal.js';
import type { TokenService } from '../auth/token-service.js';
import { newParticipantId } from './ids.js';
import type { ParticipantRights } from './participant-rights.js';
import type { RoomRecord } from './room-driver.js';
import type { RoomManager } from './room-manager.js';

/** Viewer tokens for accounts last this long: the dashboard page asks again for each room's thumbnail. */
export const VIEWER_TOKEN_TTL_S = 15 * 60;

/** Exchanges invite secrets for participant tokens, and revokes invites. */
export class JoinService {
  constructor(
    private readonly rooms: RoomManager,
    private readonly invites: InviteService,
    private readonly tokens: TokenService,
    private readonly log: Logger,
    /** refuses tokens issued before a revocation and closes their sockets (absent: links only) */
    private readonly rights?: ParticipantRights,
    /** people present at once (the agent's session presence); 0: no limit */
    private readonly maxParticipants = 0,
    /** a room that is gone: its recordings may still honour the invite (RecordingService.endedJoin) */
    private readonly ended?: (id: string, body: JoinBody) => Promise<EndedRoomJoinResult>,
    /** joins and revocations are recorded here */
    private readonly audit: AuditLog = NO_AUDIT,
  ) {}

  async join(id: string, body: JoinBody): Promise<JoinResult | EndedRoomJoinResult> {
    let record: RoomRecord;
    try {
      record = await this.rooms.require(id);
    } catch (err) {
      if (this.ended && err instanceof AppError && err.code === 'not_found') return this.ended(id, body);
      throw err;
    }
    const role = this.invites.match(id, body.invite);
    if (!role) throw errors.unauthorized('invite is invalid or has been revoked');
    if (record.status === 'stopping' || record.status === 'failed') {
      throw errors.conflict(`room ${id} is ${record.status}`);
    }
    await this.checkRoom(record);
    const participantId = newParticipantId();
    const { token, claims } = await this.tokens.issue(
      { sub: participantId, room: id, role, name: body.name.trim() },
      undefined,
      this.rights?.minIat(id, role) ?? 0,
    );
    this.log.info({ room: id, participantId, role }, 'joined');
    // the new participant is the actor: the invite secret it came with is never recorded
    const actor = { id: participantId, name: claims.name, role };
    await this.audit.record(actor, 'participant.join', id, 'ok', { role });
    return {
      token,
      role,
      participantId,
      expiresAt: new Date(claims.exp * 1000).toISOString(),
      // the page starts the stream with this when the room is ready: no second round trip for it
      room: this.rooms.summary(record),
    };
  }

  /**
   * A short-lived viewer token of the room for an account that may watch it anyway (the admin,
   * operators, its creator): the dashboard page's thumbnails, without joining through the owner's
   * invite (which the trail would record as an owner joining, per room and reload). Nothing is
   * recorded: the account already may see the room, and a token to look is no change.
   */
  async viewerToken(p: Principal | null, id: string): Promise<ViewerToken> {
    if (!p) throw errors.unauthorized();
    if (p.room !== null) throw errors.forbidden('a room token is a token of its room already');
    const record = await this.rooms.require(id);
    authorize(p, 'watch', record.spec);
    if (record.status === 'stopping' || record.status === 'failed') {
      throw errors.conflict(`room ${id} is ${record.status}`);
    }
    const participantId = newParticipantId();
    const { token, claims } = await this.tokens.issue(
      { sub: participantId, room: id, role: 'viewer', name: p.account?.name ?? p.name },
      VIEWER_TOKEN_TTL_S,
      this.rights?.minIat(id, 'viewer') ?? 0,
    );
    this.log.debug({ room: id, participantId, account: p.account?.id ?? p.id }, 'viewer token issued');
    return {
      token,
      role: 'viewer',
      participantId,
      expiresAt: new Date(claims.exp * 1000).toISOString(),
    };
  }

  /** room_full when the agent counts maxParticipants present; an agent that does not answer lets people in. */
  private async checkRoom(record: RoomRecord): Promise<void> {
    if (this.maxParticipants <= 0 || record.status !== 'ready' || !record.agentUrl) return;
    let present: number;
    try {
      present = (await this.rooms.observe(record)).participants.length;
    } catch (err) {
      this.log.debug({ room: record.spec.id, err }, 'participant count unavailable: join allowed');
      return;
    }
    if (present >= this.maxParticipants) throw errors.roomFull(record.spec.id, this.maxParticipants);
  }

  /**
   * Bumps the role's invite generation: old links stop working. Tokens of that role issued until now
   * are refused from now on and their open sockets close (4411).
   */
  async revoke(p: Principal | null, id: string, role: InviteRole): Promise<RoomLinks> {
    if (!p) throw errors.unauthorized();
    const record = await this.rooms.require(id);
    await this.audit.guard(p, 'invite.revoke', id, () => authorize(p, 'invite', record.spec));
    await this.invites.revoke(id, role);
    await this.rights?.revoked(id, role);
    await this.audit.record(p, 'invite.revoke', id, 'ok', { role });
    return this.rooms.links(id);
  }
}
