import { INVITE_ROLES, type InviteRole, type RoomRights, type TokenClaims } from '@boxroom/contracts';
import { errors } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RoomRightsEntry, StateStore } from '../store/state-store.js';
import { StoreMirror } from '../store/store-mirror.js';

type Rights = Record<string, RoomRightsEntry>;

const isInviteRole = (role: string): role is InviteRole => (INVITE_ROLES as readonly string[]).includes(role);

/**
 * Rights taken away before their tokens run out: kicked participants and revoked invite roles, per
 * room, in the StateStore. Tokens are checked on every API call (PrincipalResolver) against this
 * process's copy, which every replica's kick or revocation refreshes (the store's onChange), and
 * room agents are told (RightsPush), so open sockets close too, whichever replica holds them.
 */
export class RightsService {
  private rights: Rights = {};
  private readonly mirror: StoreMirror<Rights>;

  constructor(
    private readonly store: StateStore,
    private readonly log: Logger,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.mirror = new StoreMirror({
      store,
      kind: 'rights',
      load: () => store.loadRights(),
      apply: (r) => (this.rights = r),
      log,
    });
  }

  /** Loads the rights and follows every replica's changes until close(). */
  init(): Promise<void> {
    return this.mirror.open();
  }

  close(): void {
    this.mirror.close();
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
    const now = this.nowS();
    // Expired kicks go on every kick (here and in the store): what is kept is what still matters.
    await this.store.kick(room, participantId, untilS, now);
    this.update(room, (e) => ({
      ...e,
      kicked: Object.fromEntries(
        Object.entries({ ...e.kicked, [participantId]: untilS }).filter(([, until]) => until >= now),
      ),
    }));
    this.log.info({ room, participantId }, 'participant kicked');
  }

  /**
   * Refuses tokens of `role` issued up to now. `iat` has whole seconds: everything issued in this
   * second is refused too, and tokens minted after it start at the next second (minIat).
   */
  async revoke(room: string, role: InviteRole): Promise<void> {
    const before = this.nowS() + 1;
    await this.store.revokeBefore(room, role, before);
    // The store keeps the later of two values (replicas revoking at once): so does this copy.
    const kept = Math.max(before, this.rights[room]?.revokedBefore[role] ?? 0);
    this.update(room, (e) => ({ ...e, revokedBefore: { ...e.revokedBefore, [role]: kept } }));
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
    await this.store.forgetRoom(room);
    this.mirror.wrote();
    const rest = { ...this.rights };
    delete rest[room];
    this.rights = rest;
  }

  private isRevoked(entry: RoomRightsEntry, role: string, iat: number): boolean {
    if (!isInviteRole(role)) return false;
    const before = entry.revokedBefore[role];
    return before !== undefined && iat < before;
  }

  /** This process's copy after its own write to the store. */
  private update(room: string, change: (e: RoomRightsEntry) => RoomRightsEntry): void {
    this.mirror.wrote();
    this.rights = { ...this.rights, [room]: change(this.rights[room] ?? { kicked: {}, revokedBefore: {} }) };
  }

  private nowS(): number {
    return Math.floor(this.nowMs() / 1000);
  }
}
