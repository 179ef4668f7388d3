import type { JoinBody, JoinResult, RoomLinks } from '../api/schemas.js';
import { errors } from '../errors.js';
import type { Logger } from '../logger.js';
import { newParticipantId } from '../rooms/ids.js';
import type { RoomRecord } from '../rooms/room-driver.js';
import type { RoomManager } from '../rooms/room-manager.js';
import { authorize } from './abilities.js';
import type { InviteRole, InviteService } from './invite-service.js';
import type { Principal } from './principal.js';
import type { TokenService } from './token-service.js';

/** Exchanges invite secrets for participant tokens, and revokes invites. */
export class JoinService {
  constructor(
    private readonly rooms: RoomManager,
    private readonly invites: InviteService,
    private readonly tokens: TokenService,
    private readonly log: Logger,
    /** people present at once (the agent's session presence); 0: no limit */
    private readonly maxParticipants = 0,
  ) {}

  async join(id: string, body: JoinBody): Promise<JoinResult> {
    const record = await this.rooms.require(id);
    const role = this.invites.match(id, body.invite);
    if (!role) throw errors.unauthorized('invite is invalid or has been revoked');
    if (record.status === 'stopping' || record.status === 'failed') {
      throw errors.conflict(`room ${id} is ${record.status}`);
    }
    await this.checkRoom(record);
    const participantId = newParticipantId();
    const { token, claims } = await this.tokens.issue({
      sub: participantId,
      room: id,
      role,
      name: body.name.trim(),
    });
    this.log.info({ room: id, participantId, role }, 'joined');
    return {
      token,
      role,
      participantId,
      expiresAt: new Date(claims.exp * 1000).toISOString(),
      // the page starts the stream with this when the room is ready: no second round trip for it
      room: this.rooms.summary(record),
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

  /** Bumps the role's invite generation: old links stop working; tokens already issued run out. */
  async revoke(p: Principal | null, id: string, role: InviteRole): Promise<RoomLinks> {
    if (!p) throw errors.unauthorized();
    const record = await this.rooms.require(id);
    authorize(p, 'invite', record.spec);
    await this.invites.revoke(id, role);
    return this.rooms.links(id);
  }
}
