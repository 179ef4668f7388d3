import { INVITE_ROLES, type InviteRole, type RoomRights, type TokenClaims } from '@boxroom/contracts';
import { errors } from '../errors.js';
import type { Logger } from '../logger.js';
import { readJson, SerialQueue, writeJsonAtomic } from '../store/atomic-json.js';

interface RoomEntry {
  /** participant id -> s since epoch after which no token of theirs is valid anyway (then forgotten) */
  kicked: Record<string, number>;
  /** invite role -> tokens of that role issued (iat, s) before this are refused */
  revokedBefore: Partial<Record<InviteRole, number>>;
}
type Rights = Record<string, RoomEntry>;

const isInviteRole = (role: string): role is InviteRole => (INVITE_ROLES as readonly string[]).includes(role);

/**
 * Rights taken away before their tokens run out: kicked participants and revoked invite roles, per
 * room, in one small JSON file beside the invites. Tokens are checked against them on every API call
 * (PrincipalResolver) and room agents are told (RightsPush), so open sockets close too.
 */
export class RightsService {
  private rights: Rights = {};
  private readonly writes = new SerialQueue();

  constructor(
    private readonly file: string,
    private readonly log: Logger,
    private readonly nowMs: () => number = Date.now,
  ) {}

  async init(): Promise<void> {
    const data = await readJson(this.file).catch((err: unknown) => {
      // Starting empty would let kicked participants back in until their tokens run out: say so.
      this.log.error({ err, file: this.file }, 'rights file unreadable: kicks and revocations forgotten');
      return undefined;
    });
    this.rights = data && typeof data === 'object' ? (data as Rights) : {};
  }

  /** Throws a coded error when valid claims lost their right (kicked, role revoked after issue). */
  check(claims: Pick<TokenClaims, 'room' | 'sub' | 'role' | 'iat'>): void {
    const entry = this.rights[claims.room];
    if (!entry) return;
    const until = entry.kicked[claims.sub];
    if (until !== undefined && until >= this.nowS())
      throw errors.forbidden('you were removed from this room');
    if (this.isRevoked(entry, claims.role, claims.iat)) {
      throw errors.unauthorized('the invite for your role was revoked: ask for a new link');
    }
  }

  /** The earliest `iat` a new token of this role may carry (a revocation in this very second). */
  minIat(room: string, role: string): number {
    return isInviteRole(role) ? (this.rights[room]?.revokedBefore[role] ?? 0) : 0;
  }

  /** Refuses the participant's tokens until `untilS`, when they would have expired anyway. */
  async kick(room: string, participantId: string, untilS: number): Promise<void> {
    await this.update(room, (e) => ({ ...e, kicked: { ...e.kicked, [participantId]: untilS } }));
    this.log.info({ room, participantId }, 'participant kicked');
  }

  /**
   * Refuses tokens of `role` issued up to now. `iat` has whole seconds: everything issued in this
   * second is refused too, and tokens minted after it start at the next second (minIat).
   */
  async revoke(room: string, role: InviteRole): Promise<void> {
    const before = this.nowS() + 1;
    await this.update(room, (e) => ({ ...e, revokedBefore: { ...e.revokedBefore, [role]: before } }));
  }

  /** What the room's agent must know; null when nothing was taken away. */
  of(room: string): RoomRights | null {
    const entry = this.rights[room];
    if (!entry) return null;
    const now = this.nowS();
    const kicked = Object.entries(entry.kicked)
      .filter(([, until]) => until >= now)
      .map(([participantId, until]) => ({ participantId, until }));
    return { kicked, revokedBefore: { ...entry.revokedBefore } };
  }

  /** Drop a deleted room's entry (ids are random and not reused). */
  async forget(room: string): Promise<void> {
    if (!(room in this.rights)) return;
    await this.writes.run(async () => {
      const rest = { ...this.rights };
      delete rest[room];
      this.rights = rest;
      await writeJsonAtomic(this.file, this.rights);
    });
  }

  private isRevoked(entry: RoomEntry, role: string, iat: number): boolean {
    if (!isInviteRole(role)) return false;
    const before = entry.revokedBefore[role];
    return before !== undefined && iat < before;
  }

  private async update(room: string, change: (e: RoomEntry) => RoomEntry): Promise<void> {
    await this.writes.run(async () => {
      const now = this.nowS();
      const current = this.rights[room] ?? { kicked: {}, revokedBefore: {} };
      const next = change(current);
      // Expired kicks go on every write: the file stays as small as the kicks that still matter.
      const kicked = Object.fromEntries(Object.entries(next.kicked).filter(([, until]) => until >= now));
      this.rights = { ...this.rights, [room]: { ...next, kicked } };
      await writeJsonAtomic(this.file, this.rights);
    });
  }

  private nowS(): number {
    return Math.floor(this.nowMs() / 1000);
  }
}
