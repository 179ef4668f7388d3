import { createHmac, timingSafeEqual } from 'node:crypto';
import { INVITE_ROLES, type InviteRole } from '@boxroom/contracts';
import type { Logger } from '../logger.js';
import { readJson, SerialQueue, writeJsonAtomic } from '../store/atomic-json.js';

type Generations = Record<string, Partial<Record<InviteRole, number>>>;

/**
 * Invite secrets are derived, not stored: HMAC(inviteKey, `${room}:${role}:${generation}`). The runtime
 * (container labels, state file) never holds a secret; revoking bumps the generation, which turns
 * every earlier link for that role into garbage. Generations live in one small JSON file.
 */
export class InviteService {
  private generations: Generations = {};
  private readonly writes = new SerialQueue();

  constructor(
    private readonly key: Buffer,
    private readonly file: string,
    private readonly log: Logger,
  ) {}

  async init(): Promise<void> {
    const data = await readJson(this.file).catch((err: unknown) => {
      // A corrupt file would lock everyone out; starting from generation 0 revives revoked links,
      // so say so loudly.
      this.log.error({ err, file: this.file }, 'invite generations unreadable: starting from generation 0');
      return undefined;
    });
    this.generations = data && typeof data === 'object' ? (data as Generations) : {};
  }

  generation(room: string, role: InviteRole): number {
    return this.generations[room]?.[role] ?? 0;
  }

  secret(room: string, role: InviteRole): string {
    return createHmac('sha256', this.key)
      .update(`${room}:${role}:${this.generation(room, role)}`)
      .digest('base64url');
  }

  /** The role an invite secret grants in a room, or null. Constant time per candidate role. */
  match(room: string, secret: string): InviteRole | null {
    const given = Buffer.from(secret, 'utf8');
    let found: InviteRole | null = null;
    for (const role of INVITE_ROLES) {
      const expected = Buffer.from(this.secret(room, role), 'utf8');
      if (given.length === expected.length && timingSafeEqual(given, expected)) found = role;
    }
    return found;
  }

  async revoke(room: string, role: InviteRole): Promise<void> {
    await this.writes.run(async () => {
      const roles = { ...this.generations[room], [role]: this.generation(room, role) + 1 };
      this.generations = { ...this.generations, [room]: roles };
      await writeJsonAtomic(this.file, this.generations);
    });
    this.log.info({ room, role, generation: this.generation(room, role) }, 'invite revoked');
  }

  /** Drop a deleted room's generations (ids are random and not reused). */
  async forget(room: string): Promise<void> {
    if (!(room in this.generations)) return;
    await this.writes.run(async () => {
      const rest = { ...this.generations };
      delete rest[room];
      this.generations = rest;
      await writeJsonAtomic(this.file, this.generations);
    });
  }
}
