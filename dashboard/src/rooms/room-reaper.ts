import type { RoomExpiry } from '@boxroom/contracts';
import type { Logger } from '../logger.js';
import type { AgentLiveSettings, AgentState, ResolvedRoomTimeouts } from '@boxroom/contracts';
import { timeoutsOf, type RoomRecord } from './room-driver.js';

/** How long a failed room stays (for its owner to see why) before it is removed. */
const DEFAULT_FAILED_GRACE_MS = 300_000;

/** What the reaper needs of the rooms: the RoomManager in the app, fakes in tests. */
export interface ReapableRooms {
  records(): Promise<RoomRecord[]>;
  /** the agent's GET /state, with lease changes after `sinceSeq` */
  observe(record: RoomRecord, sinceSeq: number): Promise<AgentState>;
  /** delete the room through the driver (nothing of it left running) and announce why */
  expire(id: string, expiry: RoomExpiry): Promise<void>;
  /** delete a room that stayed failed for the grace period, and announce it */
  removeFailed(id: string, failedAt: number): Promise<void>;
}

/** Who wants to hear about lease changes (the webhook relay, the audit trail). */
export interface StateListener {
  readonly active: boolean;
  since(room: string): number;
  relay(
    room: string,
    changes: AgentState['controlChanges'],
    present: AgentState['participants'],
  ): void | Promise<void>;
  forget(room: string): void;
}

export interface RoomReaperOptions {
  rooms: ReapableRooms;
  log: Logger;
  pollMs: number;
  /**
   * A room seen failed for this long is removed, whatever its timeouts say (a failed room with no max
   * age would otherwise stay for ever). Counted from the first sweep that saw it failed.
   */
  failedGraceMs?: number;
  listener?: StateListener;
  /** re-tells each ready room's agent its kicks and revocations (a restarted agent forgot them) */
  rights?: { sync(record: RoomRecord): Promise<unknown> };
  /**
   * tells a ready room's agent its stored live settings when the settings its /state reports differ
   * (a restart too fast to be seen as a status move): with it, every ready room is asked each sweep
   */
  settings?: { sync(record: RoomRecord, reported: AgentLiveSettings): Promise<unknown> };
  /**
   * every ready room is asked at least this often, timeouts or not: agents that hear from no
   * dashboard for long enough stop themselves (BOXROOM_DASHBOARD_SILENCE_S; this is a quarter of it).
   * 0 or absent: only rooms with timeouts (or a listener) are asked.
   */
  keepAliveMs?: number;
  /** frees profile leases whose room the runtime no longer lists (a crash, a restart mid-create) */
  profiles?: { reconcile(live: ReadonlySet<string>): Promise<unknown> };
  /**
   * the room's timeouts in force (an extend, PATCH timeouts, over the created ones: the RoomManager's
   * `timeoutsOf`); default: those it was created with
   */
  timeouts?: (record: RoomRecord) => ResolvedRoomTimeouts;
  /** agents asked at once: a sweep over many rooms stays bounded */
  concurrency?: number;
  now?: () => number;
}

/**
 * Deletes rooms whose time is up. Each room's agent owns its clocks (it knows viewers, input and
 * its age exactly) and says `expired` in GET /state; the reaper asks every ready room with a
 * timeout every `pollMs` (one sweep at a time, a few agents at once) and deletes expired rooms via
 * the RoomManager, so the driver frees everything. Rooms whose agent is gone (failed) cannot answer:
 * the reaper applies their max age itself from `createdAt`. The same poll feeds lease changes to
 * the webhook relay, and tells every agent that its dashboard is still there (keepAliveMs).
 */
export class RoomReaper {
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private stopped = true;
  private readonly expiring = new Set<string>();
  /** when each room's agent was last asked successfully (ms) */
  private readonly lastAsked = new Map<string, number>();
  /** when each room was first seen failed; memory only: a restarted dashboard counts again */
  private readonly failedSince = new Map<string, number>();
  private readonly now: () => number;
  private readonly keepAliveMs: number;
  /** time between sweeps: pollMs, shorter when the keep-alive needs it */
  private readonly periodMs: number;

  constructor(private readonly o: RoomReaperOptions) {
    this.now = o.now ?? Date.now;
    this.keepAliveMs = o.keepAliveMs ?? 0;
    this.periodMs = this.keepAliveMs > 0 ? Math.min(o.pollMs, this.keepAliveMs) : o.pollMs;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.sweeping;
  }

  /** One pass over the rooms; public for tests and for an immediate check. */
  sweep(): Promise<void> {
    this.sweeping ??= this.doSweep().finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.sweep().finally(() => this.schedule());
    }, this.periodMs);
    this.timer.unref();
  }

  private async doSweep(): Promise<void> {
    let records: RoomRecord[];
    try {
      records = await this.o.rooms.records();
    } catch (err) {
      this.o.log.warn({ err }, 'reaper could not list rooms');
      return;
    }
    const live = new Set(records.map((r) => r.spec.id));
    for (const id of this.expiring) if (!live.has(id)) this.expiring.delete(id);
    for (const id of this.lastAsked.keys()) if (!live.has(id)) this.lastAsked.delete(id);
    for (const r of records) if (r.status !== 'failed') this.failedSince.delete(r.spec.id);
    for (const id of this.failedSince.keys()) if (!live.has(id)) this.failedSince.delete(id);
    await this.o.profiles
      ?.reconcile(live)
      .catch((err: unknown) => this.o.log.warn({ err }, 'reaper could not check the profile leases'));
    const work = records.filter((r) => !this.expiring.has(r.spec.id));
    const queue = [...work];
    const worker = async () => {
      for (let r = queue.shift(); r; r = queue.shift()) await this.check(r);
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency ?? 4, queue.length) }, worker));
  }

  private async check(r: RoomRecord): Promise<void> {
    const id = r.spec.id;
    const t = this.o.timeouts?.(r) ?? timeoutsOf(r.spec);
    if (r.status === 'failed') {
      // A failed room has no agent to keep its clocks: its max age still holds.
      if (t.maxAgeS > 0 && this.now() >= r.spec.createdAt + t.maxAgeS * 1000) {
        await this.expire(id, { reason: 'max-age', at: this.now() });
        return;
      }
      const since = this.failedSince.get(id) ?? this.now();
      this.failedSince.set(id, since);
      if (this.now() - since >= (this.o.failedGraceMs ?? DEFAULT_FAILED_GRACE_MS))
        await this.removeFailed(id, since);
      return;
    }
    if (r.status === 'ready' && r.agentUrl) await this.o.rights?.sync(r);
    const listener = this.o.listener?.active ? this.o.listener : null;
    const timed = t.maxAgeS > 0 || t.noViewersS > 0 || t.noInputS > 0;
    const asked = timed || listener !== null || this.o.settings !== undefined || this.keepAliveDue(id);
    if (r.status !== 'ready' || !r.agentUrl || !asked) return;
    let state: AgentState;
    try {
      state = await this.o.rooms.observe(r, listener?.since(id) ?? 0);
      this.lastAsked.set(id, this.now());
    } catch (err) {
      // Unreachable for a moment (restarting, busy): the next sweep asks again.
      this.o.log.debug({ room: id, err }, 'reaper could not ask the agent');
      return;
    }
    await listener?.relay(id, state.controlChanges, state.participants);
    if (state.expired) await this.expire(id, state.expired);
    else if (state.settings) await this.o.settings?.sync(r, state.settings);
  }

  /** Would waiting for the next sweep leave the agent unasked for longer than keepAliveMs? */
  private keepAliveDue(id: string): boolean {
    if (this.keepAliveMs <= 0) return false;
    const last = this.lastAsked.get(id);
    return last === undefined || this.now() - last + this.periodMs > this.keepAliveMs;
  }

  private async removeFailed(id: string, since: number): Promise<void> {
    this.expiring.add(id);
    try {
      await this.o.rooms.removeFailed(id, since);
      this.failedSince.delete(id);
      this.o.listener?.forget(id);
    } catch (err) {
      this.expiring.delete(id);
      this.o.log.error({ room: id, err }, 'deleting a failed room failed');
    }
  }

  private async expire(id: string, expiry: RoomExpiry): Promise<void> {
    this.expiring.add(id);
    try {
      await this.o.rooms.expire(id, expiry);
      this.o.listener?.forget(id);
    } catch (err) {
      // Left in `expiring` only while the room exists: the next sweep retries a room still listed.
      this.expiring.delete(id);
      this.o.log.error({ room: id, err }, 'deleting an expired room failed');
    }
  }
}
