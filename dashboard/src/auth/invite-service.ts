import { createHmac, timingSafeEqual } from 'node:crypto';
import { INVITE_ROLES, type InviteRole } from '@boxroom/contracts';
import type { Logger } from '../logger.js';
import type { InviteGenerations, StateStore } from '../store/state-store.js';
import { StoreMirror } from '../store/store-mirror.js';

/**
 * Invite secrets are derived, not stored: HMAC(inviteKey, `${room}:${role}:${generation}`). The runtime
 * (container labels, state file) never holds a secret; revoking bumps the generation, which turns
 * every earlier link for that role into garbage. Generations live in the StateStore; this process
 * matches invites against its copy, which every replica's revocation refreshes.
 */
export class InviteService {
  private generations: InviteGenerations = {};
  private readonly mirror: StoreMirror<InviteGenerations>;

  constructor(
    private readonly key: Buffer,
    private readonly store: StateStore,
    private readonly log: Logger,
  ) {
    this.mirror = new StoreMirror({
      store,
      kind: 'invites',
      load: () => store.loadInviteGenerations(),
      apply: (g) => (this.generations = g),
      log,
    });
  }

  /** Loads the generations and follows every replica's changes until close(). */
  init(): Promise<void> {
    return this.mirror.open();
  }

  close(): void {
    this.mirror.close();
  }

  generation(room: string, role: InviteRole): number {
    return this.generations[room]?.[role] ?? 0;
  }

  secret(room: string, role: InviteRole, generation = this.generation(room, role)): string {
    return createHmac('sha256', this.key).update(`${room}:${role}:${generation}`).digest('base64url');
  }

  /** The role an invite secret grants in a room, or null. Constant time per candidate role. */
  match(room: string, secret: string): InviteRole | null {
    return this.matchAt(room, secret, this.generations[room] ?? {});
  }

  /**
   * The role an invite secret granted at the given generations (a room that ended keeps its last
   * ones with its recordings), or null.
   */
  matchAt(room: string, secret: string, generations: Partial<Record<InviteRole, number>>): InviteRole | null {
    const given = Buffer.from(secret, 'utf8');
    let found: InviteRole | null = null;
    for (const role of INVITE_ROLES) {
      const expected = Buffer.from(this.secret(room, role, generations[role] ?? 0), 'utf8');
      if (given.length === expected.length && timingSafeEqual(given, expected)) found = role;
    }
    return found;
  }

  async revoke(room: string, role: InviteRole): Promise<void> {
    // The store adds one in a transaction: two replicas revoking at once both move past the old links.
    const generation = await this.store.bumpInviteGeneration(room, role);
    this.mirror.wrote();
    // Another replica's later bump may already be in this copy (its NOTIFY came first): keep the
    // higher one, or links that replica revoked would work here again until the next change.
    const kept = Math.max(generation, this.generation(room, role));
    this.generations = { ...this.generations, [room]: { ...this.generations[room], [role]: kept } };
    this.log.info({ room, role, generation }, 'invite revoked');
  }

  /** Drop a deleted room's generations (ids are random and not reused). */
  async forget(room: string): Promise<void> {
    await this.store.forgetRoom(room);
    this.mirror.wrote();
    const rest = { ...this.generations };
    delete rest[room];
    this.generations = rest;
  }
}
