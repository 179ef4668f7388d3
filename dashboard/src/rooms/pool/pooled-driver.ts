import { EventEmitter } from 'node:events';
import type { Logger } from '../../logger.js';
import type { PoolClaim } from '../../store/pool-claim-entry.js';
import type { StateStore } from '../../store/state-store.js';
import type {
  DriverEvents,
  DriverHealth,
  DriverKind,
  ProfileStorage,
  RoomDriver,
  RoomRecord,
  RoomSpec,
  RoomStatus,
} from '../room-driver.js';
import { isPooled, POOL_OWNER, withClaim } from './pool-spec.js';

/** How stale a list may be about rooms other replicas took from the pool. */
const CLAIMS_RELOAD_MS = 1_000;

export type PoolClaimStore = Pick<StateStore, 'loadPoolClaims' | 'claimPoolRoom' | 'dropPoolClaim'>;

/**
 * The RoomDriver everyone but the pool uses: rooms waiting in the warm pool do not exist for it
 * (not listed, not found, their status moves not told), a room taken from the pool is what its
 * taker made of it (the store's claim over the runtime's spec). The pool reaches the rooms it
 * keeps through `pooled()`, `createPooled()`, `claim()` and `retire()`.
 *
 * Claims never change once made, so they are cached: a pooled room without a cached claim makes the
 * next look-up read them again (another replica may have taken it).
 */
export class PooledDriver extends EventEmitter<DriverEvents> implements RoomDriver {
  private readonly claims = new Map<string, PoolClaim>();
  /** ids of pooled rooms this process knows (made, or seen listed): their status moves are the pool's */
  private readonly pooledIds = new Set<string>();
  /** ids of rooms known not to be pooled (made here, or read), until they stop: their moves pass at once */
  private readonly publicIds = new Set<string>();
  /** moves of rooms not known yet (another replica made them), in order, while the runtime is asked */
  private readonly asking = new Map<string, RoomStatus[]>();
  private reloadedAt = -Infinity;
  readonly health?: () => DriverHealth;
  readonly profiles?: ProfileStorage;

  constructor(
    private readonly inner: RoomDriver,
    private readonly store: PoolClaimStore,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    super();
    if (inner.health) this.health = () => inner.health!();
    if (inner.profiles) this.profiles = inner.profiles;
    inner.on('status', this.relay);
  }

  /** Stops listening to the driver, and the driver it wraps (the MeteredDriver) to its own. */
  detach(): void {
    this.inner.off('status', this.relay);
    (this.inner as { detach?: () => void }).detach?.();
  }

  get kind(): DriverKind {
    return this.inner.kind;
  }

  async init(): Promise<void> {
    await this.inner.init();
    await this.reloadClaims();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  create(spec: RoomSpec): Promise<RoomRecord> {
    if (isPooled(spec)) throw new Error('pooled rooms are made by the pool (createPooled)');
    // before the create: a driver may announce `starting` before it resolves
    this.publicIds.add(spec.id);
    return this.inner.create(spec);
  }

  /** A room another replica took shows in lists within CLAIMS_RELOAD_MS (a get finds it at once). */
  async list(): Promise<RoomRecord[]> {
    return this.visible(await this.inner.list(), false);
  }

  async get(id: string): Promise<RoomRecord | null> {
    const r = await this.inner.get(id);
    return r ? ((await this.visible([r], true))[0] ?? null) : null;
  }

  async delete(id: string): Promise<void> {
    await this.inner.delete(id);
    if (!this.pooledIds.has(id) && !this.claims.has(id)) return;
    await this.store.dropPoolClaim(id);
    this.claims.delete(id);
    this.pooledIds.delete(id);
  }

  /** The pooled rooms nobody took (nor the pool retired), as the runtime reports them. */
  async pooled(): Promise<RoomRecord[]> {
    const records = (await this.inner.list()).filter((r) => isPooled(r.spec));
    for (const r of records) this.pooledIds.add(r.spec.id);
    if (records.some((r) => !this.claims.has(r.spec.id))) await this.reloadClaims();
    return records.filter((r) => !this.claims.has(r.spec.id));
  }

  /** Starts a room for the pool (its spec from pooledSpec()); it stays hidden until taken. */
  createPooled(spec: RoomSpec): Promise<RoomRecord> {
    if (!isPooled(spec)) throw new Error('a pooled room is owned by the pool');
    this.pooledIds.add(spec.id);
    return this.inner.create(spec);
  }

  /**
   * Takes a pooled room for `claim`'s taker; the store decides (false: taken already, by another
   * create or replica). From then on the room is listed as the taker's.
   */
  async claim(claim: PoolClaim): Promise<boolean> {
    if (!(await this.store.claimPoolRoom(claim))) return false;
    this.claims.set(claim.room, claim);
    return true;
  }

  /**
   * Tells whoever follows the rooms that a taken room is ready (it was ready before it was taken,
   * unseen): the RoomManager then does what a room's ready does. Called once the create answered.
   */
  announceTaken(id: string, status: RoomStatus): void {
    if (status === 'ready') this.emit('status', id, status);
  }

  /**
   * Takes a pooled room back to delete it (a failed one, one too many, a leftover): claimed by the
   * pool first, so no create takes it meanwhile. False: a create took it first.
   */
  async retire(id: string, now: number): Promise<boolean> {
    const claim: PoolClaim = {
      room: id,
      name: 'retired',
      ownerId: POOL_OWNER,
      createdAt: now,
      record: 'off',
      recordingsVisibleTo: 'owners',
    };
    if (!(await this.claim(claim))) return false;
    await this.delete(id);
    return true;
  }

  /**
   * The runtime's status moves, without the pool's rooms'. A room this process neither made nor read
   * (a pooled room another replica's pool made, or any room another replica made) is read once before
   * its moves pass, else a pooled room's `ready` would be announced (webhooks) before anyone took it.
   */
  private readonly relay = (id: string, status: RoomStatus): void => {
    const queued = this.asking.get(id);
    if (queued) {
      queued.push(status);
      return;
    }
    if (this.pooledIds.has(id) || this.claims.has(id)) {
      if (this.taken(id)) this.emit('status', id, status);
      return;
    }
    if (!this.publicIds.has(id)) {
      this.asking.set(id, [status]);
      void this.inner
        .get(id)
        .catch(() => null)
        .then((r) => this.learnt(id, r));
      return;
    }
    if (status === 'stopping') this.publicIds.delete(id);
    this.emit('status', id, status);
  };

  /** What `relay` waited for: the moves of a room read as pooled are the pool's, the others pass. */
  private learnt(id: string, record: RoomRecord | null): void {
    const moves = this.asking.get(id) ?? [];
    this.asking.delete(id);
    if (record && isPooled(record.spec)) {
      this.pooledIds.add(id);
      for (const status of moves) this.relay(id, status);
      return;
    }
    // gone already (or unreadable): nothing of the pool's is known of it, as before this relay
    this.publicIds.add(id);
    for (const status of moves) this.relay(id, status);
  }

  private taken(id: string): boolean {
    const claim = this.claims.get(id);
    return claim !== undefined && claim.ownerId !== POOL_OWNER;
  }

  /** Records without the pool's own rooms, taken ones with their claim over them. */
  private async visible(records: RoomRecord[], always: boolean): Promise<RoomRecord[]> {
    const pooled = records.filter((r) => isPooled(r.spec));
    for (const r of pooled) this.pooledIds.add(r.spec.id);
    const unknown = pooled.some((r) => !this.claims.has(r.spec.id));
    // a list with a room waiting in the pool would read the store every time: at most once a second
    if (unknown && (always || this.now() - this.reloadedAt >= CLAIMS_RELOAD_MS)) await this.reloadClaims();
    return records.flatMap((r) => {
      if (!isPooled(r.spec)) return [r];
      const claim = this.claims.get(r.spec.id);
      return claim && claim.ownerId !== POOL_OWNER ? [{ ...r, spec: withClaim(r.spec, claim) }] : [];
    });
  }

  private async reloadClaims(): Promise<void> {
    this.reloadedAt = this.now();
    try {
      for (const c of await this.store.loadPoolClaims()) this.claims.set(c.room, c);
    } catch (err) {
      // not knowing who took a room, the room stays hidden (and untaken: a claim insert decides)
      this.log.warn({ err }, 'could not read the pool claims');
    }
  }
}
