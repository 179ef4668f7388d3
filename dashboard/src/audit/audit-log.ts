import type {
  AuditAction,
  AuditActor,
  AuditEntry,
  AuditList,
  AuditOutcome,
  AuditQuery,
} from '@boxroom/contracts';
import type { Principal } from '../auth/principal.js';
import { AppError, errors } from '../errors.js';
import type { Logger } from '../logger.js';
import type { StateStore } from '../store/state-store.js';
import { actorOf, type AuditWho } from './audit-actor.js';
import { cleanDetail, type DetailInput } from './audit-detail.js';

export type { AuditWho };

/** Refusals recorded as `denied` (rights and quotas); any other error is the caller's mistake or ours. */
const DENIED_CODES: ReadonlySet<string> = new Set(['forbidden', 'quota_exceeded']);
const DEFAULT_PAGE = 1000;

/**
 * The audit trail: the actions docs/audit.md lists (not every change: it says which are left out)
 * and every look at a recording, one entry each, written to the StateStore before the action answers. Writing never fails the action it records
 * (an entry the store refuses is logged as an error with its content), and readers are admins and
 * operators only.
 */
export class AuditLog {
  constructor(
    private readonly store: Pick<StateStore, 'appendAudit' | 'queryAudit'>,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Records one action. `key`: the same event recorded more than once (several replicas, a retried
   * job) is stored once. Resolves once stored (or its failure logged); never rejects.
   */
  async record(
    who: AuditWho,
    action: AuditAction,
    roomId: string | null,
    outcome: AuditOutcome = 'ok',
    detail: DetailInput = {},
    key?: string,
  ): Promise<void> {
    const entry = {
      at: this.now(),
      actor: actorOf(who),
      action,
      roomId,
      outcome,
      detail: cleanDetail(detail),
      key: key ?? null,
    };
    try {
      await this.store.appendAudit(entry);
    } catch (err) {
      // the entry itself goes to the log: it holds no secret, and the log is the last place it exists
      this.log.error({ err, audit: entry }, 'audit entry not stored');
    }
  }

  /**
   * An action refused: recorded `denied` when the refusal was for rights or a quota (not for a
   * mistake of the caller's, such as an unknown room). Always rethrows `err`.
   */
  async refused(
    who: Principal | null,
    action: AuditAction,
    roomId: string | null,
    err: unknown,
    detail: DetailInput = {},
  ): Promise<never> {
    if (who && err instanceof AppError && DENIED_CODES.has(err.code))
      await this.record(who, action, roomId, 'denied', { ...detail, reason: err.code });
    throw err;
  }

  /** Runs `check` (an authorization): a refusal is recorded `denied` and thrown on. */
  async guard(
    who: Principal | null,
    action: AuditAction,
    roomId: string | null,
    check: () => unknown,
  ): Promise<void> {
    try {
      await check();
    } catch (err) {
      await this.refused(who, action, roomId, err);
    }
  }

  /** The actor of the first entry by `actorId` in the room (its join, its create); null: none. */
  async known(roomId: string, actorId: string): Promise<AuditActor | null> {
    try {
      const [first] = await this.store.queryAudit({ room: roomId, actor: actorId, limit: 1 });
      return first?.actor ?? null;
    } catch (err) {
      this.log.warn({ err, room: roomId }, 'audit trail unreadable: actor named by id only');
      return null;
    }
  }

  /** GET /api/audit: admins and operators (accounts), oldest first, `next` when more match. */
  async query(p: Principal | null, q: AuditQuery): Promise<AuditList> {
    if (!p) throw errors.unauthorized();
    const role = p.account?.role;
    if (role !== 'admin' && role !== 'operator')
      throw errors.forbidden('the audit trail is for admins and operators');
    const limit = q.limit ?? DEFAULT_PAGE;
    const entries: AuditEntry[] = await this.store.queryAudit({
      ...(q.room !== undefined ? { room: q.room } : {}),
      ...(q.actor !== undefined ? { actor: q.actor } : {}),
      ...(q.action !== undefined ? { action: q.action } : {}),
      ...(q.since !== undefined ? { sinceMs: Date.parse(q.since) } : {}),
      ...(q.after !== undefined ? { afterId: q.after } : {}),
      ...(q.before !== undefined ? { beforeId: q.before } : {}),
      limit: limit + 1,
    });
    if (entries.length <= limit) return { entries };
    // one more than asked came: there is a next page, newer (after) or older (before)
    if (q.before !== undefined) {
      const page = entries.slice(1);
      return { entries: page, next: page[0]!.id };
    }
    const page = entries.slice(0, limit);
    return { entries: page, next: page[page.length - 1]!.id };
  }
}

/** For services built without an audit trail (unit tests of other things). */
export const NO_AUDIT = new AuditLog(
  {
    appendAudit: () => Promise.resolve(null),
    queryAudit: () => Promise.resolve([]),
  },
  { error: () => undefined } as unknown as Logger,
);
