import { EventEmitter } from 'node:events';
import type { Metrics } from '../http/metrics.js';
import type {
  DriverEvents,
  DriverHealth,
  DriverKind,
  ProfileStorage,
  RoomDriver,
  RoomRecord,
  RoomSpec,
} from '../rooms/room-driver.js';

/** A room that is not ready this long after create() is no longer timed (its start is not waited for). */
const READY_WATCH_MS = 10 * 60_000;

/**
 * A RoomDriver that times and counts what the driver does, for the driver's series: create()'s
 * duration, the time to ready (the driver's own `status` event), create() failures (stage create)
 * and rooms that failed before they were ever ready (stage start). Everything else is passed through.
 */
export class MeteredDriver extends EventEmitter<DriverEvents> implements RoomDriver {
  /** create() time of rooms not ready yet */
  private readonly starting = new Map<string, number>();
  readonly health?: () => DriverHealth;
  readonly profiles?: ProfileStorage;

  constructor(
    private readonly inner: RoomDriver,
    private readonly metrics: Metrics,
    private readonly now: () => number = Date.now,
  ) {
    super();
    if (inner.health) this.health = () => inner.health!();
    if (inner.profiles) this.profiles = inner.profiles;
    inner.on('status', this.relay);
  }

  /** Stops listening to the driver (the app closes; the driver itself is the composition root's). */
  detach(): void {
    this.inner.off('status', this.relay);
    this.starting.clear();
  }

  private readonly relay = (id: string, status: RoomRecord['status']): void => {
    this.statusSeen(id, status);
    this.emit('status', id, status);
  };

  get kind(): DriverKind {
    return this.inner.kind;
  }

  init(): Promise<void> {
    return this.inner.init();
  }

  async create(spec: RoomSpec): Promise<RoomRecord> {
    const driver = this.inner.kind;
    const start = this.now();
    this.forgetOld(start);
    this.starting.set(spec.id, start);
    try {
      const record = await this.inner.create(spec);
      this.metrics.driverCreateSeconds.observe({ driver }, (this.now() - start) / 1000);
      this.statusSeen(spec.id, record.status);
      return record;
    } catch (err) {
      this.starting.delete(spec.id);
      this.metrics.driverFailures.inc({ driver, stage: 'create' });
      throw err;
    }
  }

  list(): Promise<RoomRecord[]> {
    return this.inner.list();
  }

  get(id: string): Promise<RoomRecord | null> {
    return this.inner.get(id);
  }

  delete(id: string): Promise<void> {
    this.starting.delete(id);
    return this.inner.delete(id);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private statusSeen(id: string, status: RoomRecord['status']): void {
    const since = this.starting.get(id);
    if (since === undefined) return;
    if (status === 'ready') {
      this.starting.delete(id);
      this.metrics.driverReadySeconds.observe({ driver: this.inner.kind }, (this.now() - since) / 1000);
    } else if (status === 'failed') {
      this.starting.delete(id);
      this.metrics.driverFailures.inc({ driver: this.inner.kind, stage: 'start' });
    }
  }

  private forgetOld(now: number): void {
    for (const [id, since] of this.starting) if (now - since > READY_WATCH_MS) this.starting.delete(id);
  }
}
