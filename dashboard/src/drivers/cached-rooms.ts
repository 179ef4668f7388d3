import type { Logger } from '../logger.js';
import type { DriverHealth, RoomRecord } from '../rooms/room-driver.js';
import { EngineTimeout } from './docker/engine-deadline.js';
import { RoomCache } from './docker/room-cache.js';

export interface CachedRoomsOptions {
  /** every room, from the engine (throws when it does not answer) */
  readAll: () => Promise<RoomRecord[]>;
  /** one room from the engine; null: it has none of that id */
  readOne: (id: string) => Promise<RoomRecord | null>;
  /** what the driver knows better than the engine (rooms it is deleting are `stopping`) */
  view: (r: RoomRecord) => RoomRecord;
  /** the engine answered again after a silence: the driver re-reads what it may have missed */
  answersAgain: () => void;
  log: Logger;
  /** how log lines name the engine: `docker engine`, `swarm manager` */
  engine: string;
}

/**
 * The reads of a driver whose engine may hang (docker, swarm): the engine's answer while it
 * answers, which refreshes the cache; once a read went unanswered, the cache at once (marked stale)
 * and one refresh in the background, so no caller waits on a hung engine more than once.
 */
export class CachedRooms {
  readonly cache = new RoomCache();
  /** the one read refreshing the cache in the background while the engine is unresponsive */
  private refreshing: Promise<void> | null = null;

  constructor(private readonly o: CachedRoomsOptions) {}

  /** nothing to fall back on yet: a read may wait for the engine longer */
  get cold(): boolean {
    return !this.cache.ready;
  }

  get stale(): boolean {
    return this.cache.stale;
  }

  health(): DriverHealth {
    return this.cache.health();
  }

  async list(): Promise<RoomRecord[]> {
    if (this.cache.ready && this.cache.stale) {
      this.refreshInBackground();
      return this.cache.all().map(this.o.view);
    }
    try {
      const records = await this.o.readAll();
      this.cache.replace(records);
      return records;
    } catch (err) {
      if (!this.cache.ready) throw err;
      this.cache.failed();
      this.o.log.warn({ err }, `${this.o.engine} not answering: serving rooms from the cache`);
      return this.cache.all().map(this.o.view);
    }
  }

  async get(id: string): Promise<RoomRecord | null> {
    if (this.cache.ready && this.cache.stale) {
      this.refreshInBackground();
      return this.fromCache(id);
    }
    try {
      const r = await this.o.readOne(id);
      this.cache.put(id, r);
      return r ? this.o.view(r) : null;
    } catch (err) {
      if (!this.cache.ready) throw err;
      this.cache.failed();
      this.o.log.warn({ err, room: id }, `${this.o.engine} not answering: serving the room from the cache`);
      return this.fromCache(id);
    }
  }

  /** An engine call that, failing for want of an engine, marks the cache stale. */
  async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const status = (err as { statusCode?: number } | null)?.statusCode;
      if (err instanceof EngineTimeout || status === undefined) this.cache.failed();
      throw err;
    }
  }

  private fromCache(id: string): RoomRecord | null {
    const r = this.cache.one(id);
    return r ? this.o.view(r) : null;
  }

  /** Asks the engine again, once at a time; an answer ends the stale state. */
  private refreshInBackground(): void {
    this.refreshing ??= this.o
      .readAll()
      .then(
        (records) => {
          this.cache.replace(records);
          this.o.log.info({ rooms: records.length }, `${this.o.engine} answers again`);
          this.o.answersAgain();
        },
        () => this.cache.failed(),
      )
      .finally(() => {
        this.refreshing = null;
      });
  }
}
