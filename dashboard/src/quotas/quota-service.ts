import {
  ADMIN_ACCOUNT_ID,
  type AccountRef,
  type OperatorRole,
  type QuotaLimits,
  type QuotaLimitsPatch,
  type QuotaReport,
  type ResolvedRoomTimeouts,
} from '@boxroom/contracts';
import { isAdmin, type Principal } from '../auth/principal.js';
import { errors } from '../errors.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Logger } from '../logger.js';
import { KeyedSerial } from '../rooms/keyed-serial.js';
import { timeoutsOf, type RoomRecord, type RoomSpec } from '../rooms/room-driver.js';
import type { RecordingEntry } from '../store/recording-entry.js';
import type { StateStore } from '../store/state-store.js';
import {
  cappedMaxAgeS,
  DAY_MS,
  effectiveLimits,
  formatBytes,
  HOUR_MS,
  longestMaxAgeS,
  noLonger,
  promisedMs,
  roomMsToday,
  UNCAPPED,
  utcDayStart,
} from './quota-math.js';

/**
 * An open ledger entry whose room the driver does not list is closed only once it is this old: a
 * create in flight on another replica has its entry before its room exists.
 */
const CREATE_GRACE_MS = 5 * 60_000;
/** Ledger entries that ended before yesterday are dropped, at most this often. */
const PRUNE_EVERY_MS = 3_600_000;

type QuotaStore = Pick<
  StateStore,
  | 'getQuotaOverrides'
  | 'patchQuotaOverrides'
  | 'openRoomUsage'
  | 'closeRoomUsage'
  | 'listRoomUsage'
  | 'pruneRoomUsage'
  | 'listRecordings'
>;

export interface QuotaServiceDeps {
  store: QuotaStore;
  /** every creator's limits unless an admin set its own (BOXROOM_QUOTA_*) */
  defaults: QuotaLimits;
  /** every room the driver runs */
  rooms(): Promise<RoomRecord[]>;
  /** the timeouts a room runs with now (an extend over its created ones); default: its created ones */
  timeoutsOf?(spec: RoomSpec): ResolvedRoomTimeouts;
  /**
   * the role of an account other than the caller (an admin's look at it); null: unknown, which
   * counts as a creator. Default: the admin token's account is an admin, the rest unknown.
   */
  roleOf?(account: string): Promise<OperatorRole | null>;
  /** quota.change goes into the audit trail */
  audit?: Pick<AuditLog, 'record'>;
  log: Logger;
  now?: () => number;
}

/**
 * Per-creator quotas: rooms at once, room-hours per UTC day, recording bytes. Admins and operators
 * have none. The creates and extends of one creator are admitted one at a time (counting the rooms
 * still being created), and every refusal goes through refuse(). A creator's rooms never hold more
 * room-hours than its day has: what they ran today plus what their max ages still promise. The room-hours ledger is written at create and
 * at every end; open entries whose room is gone (ended while no dashboard ran) are closed when
 * found. One replica's in-flight creates are known to it only: two replicas admitting the same
 * creator's last slot at the same instant may both pass.
 */
export class QuotaService {
  private readonly admissions = new KeyedSerial();
  /** room id -> its owner and admitted spec: creates admitted and not finished */
  private readonly inFlight = new Map<string, { owner: string; spec: RoomSpec }>();
  private prunedAt = 0;

  constructor(private readonly d: QuotaServiceDeps) {}

  private now(): number {
    return (this.d.now ?? Date.now)();
  }

  /** GET /api/quota: the caller's own limits and usage (uncapped roles: limits all null). */
  own(p: Principal | null): Promise<QuotaReport> {
    if (!p) throw errors.unauthorized();
    if (!p.account) throw errors.forbidden('quotas belong to operator accounts, not to room tokens');
    return this.report(p.account.id, p.account.role);
  }

  /** GET /api/accounts/:id/quota (admins). */
  async of(p: Principal | null, account: string): Promise<QuotaReport> {
    this.requireAdmin(p);
    return this.report(account, await this.roleOf(account));
  }

  /** PUT /api/accounts/:id/quota (admins): absent keeps the account's value, null lifts it. */
  async set(p: Principal | null, account: string, patch: QuotaLimitsPatch): Promise<QuotaReport> {
    this.requireAdmin(p);
    const overrides = await this.d.store.patchQuotaOverrides(account, patch);
    this.d.log.info({ account, by: p!.id, overrides }, 'quota changed');
    await this.d.audit?.record(p!, 'quota.change', null, 'ok', { account, ...limitDetail(patch) });
    return this.report(account, await this.roleOf(account));
  }

  /**
   * A create by `p`, admitted: a creator at its room cap or out of today's hours is refused; its
   * room's max age is capped to the hours left today (neither used nor promised to its other
   * rooms); its ledger entry is opened before the room exists and closed again when the create
   * fails. Others' creates pass untouched.
   */
  async admitRoom<T>(p: Principal, spec: RoomSpec, create: (spec: RoomSpec) => Promise<T>): Promise<T> {
    const account = p.account;
    if (account?.role !== 'creator') return create(spec);
    const admitted = await this.admissions.run(account.id, async () => {
      const limits = await this.limitsOf(account.id, 'creator');
      const records = await this.d.rooms();
      await this.reconcile(records);
      const running = this.running(account.id, records).length;
      if (limits.roomsAtOnce !== null && running >= limits.roomsAtOnce)
        this.refuse(
          account,
          'roomsAtOnce',
          `at most ${plural(limits.roomsAtOnce, 'room')} at once (${running} running): delete one first`,
        );
      let next = spec;
      if (limits.roomHoursPerDay !== null) {
        const leftS = (await this.msLeft(account, limits.roomHoursPerDay, records)) / 1000;
        if (leftS < 1)
          this.refuse(
            account,
            'roomHoursPerDay',
            `the rest of today's room-hours (UTC) is promised to your running rooms until their max age ` +
              `(${limits.roomHoursPerDay} h a day): shorten or delete one first`,
          );
        const timeouts = timeoutsOf(spec);
        next = { ...spec, timeouts: { ...timeouts, maxAgeS: cappedMaxAgeS(timeouts.maxAgeS, leftS) } };
      }
      this.inFlight.set(spec.id, { owner: account.id, spec: next });
      try {
        await this.d.store.openRoomUsage({ room: spec.id, owner: account.id, startedAt: spec.createdAt });
      } catch (err) {
        this.inFlight.delete(spec.id);
        throw err;
      }
      return next;
    });
    try {
      return await create(admitted);
    } catch (err) {
      await this.roomEnded(spec.id);
      throw err;
    } finally {
      this.inFlight.delete(spec.id);
    }
  }

  /**
   * An extend (a PATCH of the timeouts `to` in force afterwards) of a creator's room, admitted: a
   * max age that would end the room after the owner's room-hours of today run out (what its rooms
   * used today and what its other rooms' max ages promise) is refused, and so is none (0). The
   * limit is the room's owner's, whoever asks (its creator, an owner link); operators and admins
   * are not limited, as by the template's maximum. A max age unchanged or shorter always passes.
   * `apply` (the change itself) runs while no create or extend of the same creator is admitted.
   */
  async admitExtend<T>(
    p: Principal,
    spec: RoomSpec,
    to: ResolvedRoomTimeouts,
    apply: () => Promise<T>,
  ): Promise<T> {
    const from = this.timeouts(spec).maxAgeS;
    if (p.role === 'operator' || noLonger(from, to.maxAgeS)) return apply();
    const owner = await this.cappedOwner(spec.id);
    if (!owner) return apply();
    return this.admissions.run(owner, async () => {
      const { roomHoursPerDay: limit } = await this.limitsOf(owner, await this.roleOf(owner));
      if (limit === null) return apply();
      const account: AccountRef = { id: owner, name: owner, role: 'creator' };
      const leftMs = await this.msLeft(account, limit, await this.d.rooms(), spec.id);
      const longest = longestMaxAgeS(spec.createdAt, leftMs, this.now());
      if (to.maxAgeS === 0 || to.maxAgeS > longest)
        this.refuse(
          account,
          'roomHoursPerDay',
          `maxAgeS ${to.maxAgeS === 0 ? '0 (no end)' : `${to.maxAgeS} s`} runs past the owner's room-hours ` +
            `left today (UTC) (${limit} h a day): at most ${Math.max(longest, from)} s for this room`,
        );
      return apply();
    });
  }

  /** A room ended (deleted, expired, failed): its hours stop counting. Never throws. */
  async roomEnded(room: string): Promise<void> {
    await this.d.store
      .closeRoomUsage(room, this.now())
      .catch((err: unknown) => this.d.log.error({ room, err }, 'could not end the room in the quota ledger'));
  }

  /** A recording of the room may start: refused when its creator's recordings are at the limit. */
  async admitRecording(spec: RoomSpec): Promise<void> {
    const owner = await this.cappedOwner(spec.id);
    if (!owner) return;
    const { recordingBytes: limit } = await this.limitsOf(owner, 'creator');
    if (limit === null) return;
    const kept = await this.recordingBytes(owner);
    if (kept >= limit)
      this.refuse(
        { id: owner, name: owner, role: 'creator' },
        'recordingBytes',
        `recordings may keep ${formatBytes(limit)} (${formatBytes(kept)} kept): delete some first`,
      );
  }

  /** True when a running recording's creator holds its limit or more (the recorder stops it). */
  async recordingOver(entry: RecordingEntry): Promise<boolean> {
    const owner = await this.cappedOwner(entry.roomId);
    if (!owner) return false;
    const { recordingBytes: limit } = await this.limitsOf(owner, 'creator');
    return limit !== null && (await this.recordingBytes(owner)) >= limit;
  }

  /**
   * Closes open ledger entries whose room the driver no longer lists (ended while no dashboard
   * ran: counted until now), and now and then drops what ended before yesterday.
   */
  async reconcile(records?: RoomRecord[]): Promise<void> {
    const now = this.now();
    const live = new Set((records ?? (await this.d.rooms())).map((r) => r.spec.id));
    for (const e of await this.d.store.listRoomUsage(now)) {
      if (e.endedAt !== null || live.has(e.room) || this.inFlight.has(e.room)) continue;
      if (now - e.startedAt < CREATE_GRACE_MS) continue;
      this.d.log.info({ room: e.room, owner: e.owner }, 'quota ledger: room gone, ending its entry');
      await this.d.store.closeRoomUsage(e.room, now);
    }
    if (now - this.prunedAt >= PRUNE_EVERY_MS) {
      this.prunedAt = now;
      await this.d.store.pruneRoomUsage(utcDayStart(now) - DAY_MS);
    }
  }

  /**
   * The one place a quota refuses: everything over a limit ends here (logged; the audit trail's
   * `denied` entries hook in here).
   */
  private refuse(account: AccountRef, limit: keyof QuotaLimits, message: string): never {
    this.d.log.info({ account: account.id, limit }, 'quota refused');
    throw errors.quotaExceeded(`quota exceeded: ${message}`);
  }

  private async report(account: string, role: OperatorRole | null): Promise<QuotaReport> {
    const records = await this.d.rooms();
    await this.reconcile(records);
    return {
      account,
      limits: await this.limitsOf(account, role),
      usage: {
        roomsAtOnce: this.running(account, records).length,
        roomHoursPerDay: Math.round((await this.msToday(account)) / 3600) / 1000,
        recordingBytes: await this.recordingBytes(account),
      },
    };
  }

  private async limitsOf(account: string, role: OperatorRole | null): Promise<QuotaLimits> {
    if (role === 'admin' || role === 'operator') return UNCAPPED;
    return effectiveLimits(this.d.defaults, await this.d.store.getQuotaOverrides(account));
  }

  private async roleOf(account: string): Promise<OperatorRole | null> {
    if (this.d.roleOf) return this.d.roleOf(account);
    return account === ADMIN_ACCOUNT_ID ? 'admin' : null;
  }

  /** The account's rooms the driver lists (not those on their way out) and its creates in flight. */
  private running(account: string, records: RoomRecord[]): RoomSpec[] {
    const specs = new Map<string, RoomSpec>();
    for (const { owner, spec } of this.inFlight.values()) if (owner === account) specs.set(spec.id, spec);
    for (const r of records)
      if (r.spec.ownerId === account && r.status !== 'stopping') specs.set(r.spec.id, r.spec);
    return [...specs.values()];
  }

  /**
   * The ms of today's room-hours (`limitH`) the account's rooms neither used nor are promised: the
   * limit, less what its rooms ran today, less what the max ages of its running rooms (but `except`)
   * still allow them. Refused when the day's hours are used, or a running room has no max age.
   */
  private async msLeft(
    account: AccountRef,
    limitH: number,
    records: RoomRecord[],
    except?: string,
  ): Promise<number> {
    const used = await this.msToday(account.id);
    if (used >= limitH * HOUR_MS)
      this.refuse(
        account,
        'roomHoursPerDay',
        `today's room-hours (UTC) are used up (${limitH} h a day): more after midnight UTC`,
      );
    const others = this.running(account.id, records).filter((s) => s.id !== except);
    const promised = promisedMs(
      others.map((s) => ({ createdAt: s.createdAt, maxAgeS: this.timeouts(s).maxAgeS })),
      this.now(),
    );
    if (promised === Infinity)
      this.refuse(
        account,
        'roomHoursPerDay',
        `a room runs with no max age and may take all of today's room-hours (${limitH} h a day): ` +
          'give it a max age or delete it first',
      );
    return limitH * HOUR_MS - used - promised;
  }

  private timeouts(spec: RoomSpec): ResolvedRoomTimeouts {
    return this.d.timeoutsOf?.(spec) ?? timeoutsOf(spec);
  }

  private async msToday(account: string): Promise<number> {
    const now = this.now();
    const entries = await this.d.store.listRoomUsage(utcDayStart(now));
    return roomMsToday(
      entries.filter((e) => e.owner === account),
      now,
    );
  }

  /** The bytes of every recording kept of the account's rooms (running ones included). */
  private async recordingBytes(account: string): Promise<number> {
    const all = await this.d.store.listRecordings();
    return all.filter((e) => e.ownerId === account).reduce((sum, e) => sum + e.bytes, 0);
  }

  /** The room's creator when its create was counted (a creator's room has a ledger entry), or null. */
  private async cappedOwner(room: string): Promise<string | null> {
    const open = await this.d.store.listRoomUsage(this.now());
    return open.find((e) => e.room === room)?.owner ?? null;
  }

  private requireAdmin(p: Principal | null): void {
    if (!p) throw errors.unauthorized();
    if (!isAdmin(p)) throw errors.forbidden('only admins see and set the quotas of other accounts');
  }
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** The limits a change set, as audit detail (null: lifted). */
function limitDetail(patch: QuotaLimitsPatch): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(patch)) if (v !== undefined) out[k] = v;
  return out;
}
