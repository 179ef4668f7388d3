import type { Logger } from '../../logger.js';
import type { RoomRecord, RoomSpec } from '../room-driver.js';
import type { TemplatedSpec } from '../template-resolution.js';
import type { PoolTargets } from '../../pool-settings.js';
import { claimOf, maxWaitMs, pooledSpec, serves, unpoolable } from './pool-spec.js';
import type { PooledDriver } from './pooled-driver.js';

/** How often the pool looks at its rooms (and refills) when nothing else wakes it. */
const POOL_TICK_MS = 2_000;
/** A take's refill waits this long: the taken room's first frames go before a new room's start. */
const REFILL_AFTER_TAKE_MS = 2_000;
const BACKOFF_FIRST_MS = 1_000;
const BACKOFF_MAX_MS = 60_000;

export interface RoomPoolDeps {
  driver: PooledDriver;
  targets: PoolTargets;
  /** a template's default rooms (a create with an empty body), or null: no such template */
  defaults(templateId: string): TemplatedSpec | null;
  newId(): string;
  log: Logger;
  /** asks a ready pooled room's agent (the dashboard is alive: local agents stop without it) */
  keepAlive?: (record: RoomRecord) => Promise<unknown>;
  /** 0 or absent: no keep-alive */
  keepAliveMs?: number;
  tickMs?: number;
  now?: () => number;
}

/** A create lost the race for a pooled room (another create or replica took it): it goes cold. */
export class PoolTakeLost extends Error {}

/**
 * The warm pool (BOXROOM_POOL): per template, N rooms started and unassigned. A create that wants
 * exactly what a pooled room was started with takes it (the store decides once); the pool then
 * starts another behind it, one room at a time, with backoff after a failure. Pooled rooms of an
 * earlier run, of a template no longer pooled, or whose template changed are deleted, never
 * reused; so are this pool's rooms when it stops. Runs on one replica (the singleton-jobs lease),
 * and only there are candidates known: another replica's creates start cold.
 */
export class RoomPool {
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private stopped = true;
  /** ready rooms by template as last seen, for a take without asking the runtime */
  private ready = new Map<string, RoomRecord[]>();
  private count = 0;
  /** pooled rooms this run started: the others found are leftovers */
  private readonly mine = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly notBefore = new Map<string, number>();
  private readonly lastAsked = new Map<string, number>();
  private readonly warned = new Set<string>();

  constructor(private readonly d: RoomPoolDeps) {
    this.now = d.now ?? Date.now;
  }

  /** Rooms waiting in the pool as last seen, ready to take and still starting (boxroom_pool_rooms). */
  size(): { ready: number; starting: number } {
    let ready = 0;
    for (const rooms of this.ready.values()) ready += rooms.length;
    return { ready, starting: this.count - ready };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops refilling and deletes the rooms waiting (rooms taken are the takers'). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.ticking;
    const waiting = await this.d.driver.pooled().catch(() => [] as RoomRecord[]);
    await Promise.all(
      waiting.filter((r) => this.mine.has(r.spec.id)).map((r) => this.retire(r, 'pool stopped')),
    );
    this.ready.clear();
    this.count = 0;
  }

  /** A ready pooled room that can become `wanted`, or null (the create starts a room cold). */
  candidate(wanted: TemplatedSpec & Pick<RoomSpec, 'profile'>): RoomRecord | null {
    const rooms = this.ready.get(wanted.template ?? '') ?? [];
    return rooms.find((r) => serves(r.spec, wanted)) ?? null;
  }

  /**
   * Makes `candidate` the room `spec` describes (the taker's id is the candidate's); the room as
   * listed from now on. PoolTakeLost when it was taken meanwhile, or the quota changed the spec.
   */
  async take(candidate: RoomRecord, spec: RoomSpec): Promise<RoomRecord> {
    const list = this.ready.get(candidate.spec.template ?? '') ?? [];
    this.ready.set(
      candidate.spec.template ?? '',
      list.filter((r) => r !== candidate),
    );
    if (spec.id !== candidate.spec.id || !serves(candidate.spec, spec)) throw new PoolTakeLost();
    if (!(await this.d.driver.claim(claimOf(spec)))) throw new PoolTakeLost();
    this.d.log.info({ room: spec.id, template: spec.template }, 'room taken from the pool');
    const record = await this.d.driver.get(spec.id);
    if (!record) {
      // gone meanwhile (removed behind the pool's back): its claim goes too
      await this.d.driver.delete(spec.id);
      throw new PoolTakeLost();
    }
    return record;
  }

  /** The create answered: the room's ready is announced, and a room is started behind it. */
  taken(record: RoomRecord): void {
    this.d.driver.announceTaken(record.spec.id, record.status);
    if (!this.stopped) this.schedule(REFILL_AFTER_TAKE_MS);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.ticking ??= this.tick().finally(() => {
        this.ticking = null;
        // a pool of no rooms (BOXROOM_POOL 0) stops once the rooms of an earlier run are gone
        if (this.pooling() || this.count > 0) this.schedule(this.d.tickMs ?? POOL_TICK_MS);
      });
    }, ms);
    this.timer.unref();
  }

  private pooling(): boolean {
    return [...this.d.targets.values()].some((n) => n > 0);
  }

  private async tick(): Promise<void> {
    let rooms: RoomRecord[];
    try {
      rooms = await this.d.driver.pooled();
    } catch (err) {
      this.d.log.warn({ err }, 'pool could not list its rooms');
      return;
    }
    const kept: RoomRecord[] = [];
    for (const r of rooms) {
      const why = this.unwanted(r);
      if (why) await this.retire(r, why);
      else kept.push(r);
    }
    this.count = kept.length;
    const ready = new Map<string, RoomRecord[]>();
    for (const r of kept) {
      if (r.status !== 'ready') continue;
      const t = r.spec.template ?? '';
      ready.set(t, [...(ready.get(t) ?? []), r]);
      this.failures.delete(t);
      await this.keepAlive(r);
    }
    this.ready = ready;
    await this.refillOne(kept);
  }

  /** Why a pooled room must go, or null to keep it. */
  private unwanted(r: RoomRecord): string | null {
    const t = r.spec.template ?? '';
    if (!this.mine.has(r.spec.id)) return 'left by an earlier run';
    if (r.status === 'failed') {
      this.failed(t, r.failure ?? 'failed');
      return 'failed';
    }
    if (r.status === 'stopping') return 'stopping';
    if ((this.d.targets.get(t) ?? 0) === 0) return 'its template is no longer pooled';
    const now = this.d.defaults(t);
    if (!now || !serves(r.spec, now)) return 'its template changed';
    // its clocks run from its start: a taker gets it before they took much of the time (maxWaitMs)
    const wait = maxWaitMs(r.spec);
    if (wait !== null && this.now() - r.spec.createdAt > wait) return 'waited too long';
    return null;
  }

  /** Starts one room for the first template short of its target (one at a time: creates go first). */
  private async refillOne(kept: RoomRecord[]): Promise<void> {
    for (const [template, target] of this.d.targets) {
      if (this.stopped) return;
      const have = kept.filter((r) => r.spec.template === template).length;
      if (have >= target || this.now() < (this.notBefore.get(template) ?? 0)) continue;
      const templated = this.d.defaults(template);
      const why = templated ? unpoolable(templated) : 'no such template';
      if (!templated || why) {
        if (!this.warned.has(template)) this.d.log.warn({ template, why }, 'template not pooled');
        this.warned.add(template);
        continue;
      }
      const spec = pooledSpec(this.d.newId(), templated, this.now());
      this.mine.add(spec.id);
      try {
        await this.d.driver.createPooled(spec);
        this.d.log.info({ room: spec.id, template }, 'pooled room started');
      } catch (err) {
        this.failed(template, err);
        await this.d.driver.delete(spec.id).catch(() => undefined);
      }
      return;
    }
  }

  private failed(template: string, cause: unknown): void {
    const n = (this.failures.get(template) ?? 0) + 1;
    this.failures.set(template, n);
    const waitMs = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (n - 1));
    this.notBefore.set(template, this.now() + waitMs);
    this.d.log.warn(
      { template, err: cause, failures: n, retryInMs: waitMs },
      'pooled room failed: retrying later',
    );
  }

  private async retire(r: RoomRecord, why: string): Promise<void> {
    try {
      if (await this.d.driver.retire(r.spec.id, this.now()))
        this.d.log.info({ room: r.spec.id, template: r.spec.template, why }, 'pooled room deleted');
    } catch (err) {
      this.d.log.warn({ room: r.spec.id, err }, 'could not delete a pooled room');
    }
    this.mine.delete(r.spec.id);
    this.lastAsked.delete(r.spec.id);
  }

  private async keepAlive(r: RoomRecord): Promise<void> {
    const every = this.d.keepAliveMs ?? 0;
    if (!this.d.keepAlive || every <= 0) return;
    const last = this.lastAsked.get(r.spec.id) ?? 0;
    if (this.now() - last < every) return;
    try {
      await this.d.keepAlive(r);
      this.lastAsked.set(r.spec.id, this.now());
    } catch (err) {
      this.d.log.debug({ room: r.spec.id, err }, 'pool could not ask its room');
    }
  }
}
