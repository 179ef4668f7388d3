import type { RoomRecord, RoomStatus } from '../../rooms/room-driver.js';
import { withFailure } from '../room-failure.js';

/** What the dashboard knows of its engine, for /healthz. */
export interface EngineHealth {
  engine: 'ok' | 'unresponsive';
  /** ms since epoch of the first call that went unanswered; null while the engine answers */
  unresponsiveSince: number | null;
}

/**
 * The last known state of every room, fed by the engine's answers (list, get) and its events.
 * When the engine stops answering, rooms are served from here, marked `stale`: a page keeps
 * working (the agents run on without the engine) instead of hanging with the engine.
 */
export class RoomCache {
  private readonly records = new Map<string, RoomRecord>();
  private primed = false;
  private unresponsiveSince: number | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  /** true once a full list has been seen: before that there is nothing to fall back on */
  get ready(): boolean {
    return this.primed;
  }

  get stale(): boolean {
    return this.unresponsiveSince !== null;
  }

  health(): EngineHealth {
    return { engine: this.stale ? 'unresponsive' : 'ok', unresponsiveSince: this.unresponsiveSince };
  }

  /** The engine answered a full list: that is the truth now. */
  replace(records: RoomRecord[]): void {
    this.records.clear();
    for (const r of records) this.records.set(r.spec.id, r);
    this.primed = true;
    this.unresponsiveSince = null;
  }

  /** The engine answered about one room (null: it has none of that id). */
  put(id: string, r: RoomRecord | null): void {
    if (r) this.records.set(id, r);
    else this.records.delete(id);
    this.unresponsiveSince = null;
  }

  /**
   * An event changed a room's status (and said why it failed, if it knows); rooms not seen in a list
   * yet wait for the next one. A room that is no longer failed drops its failure.
   */
  setStatus(id: string, status: RoomStatus, failure?: string | null): void {
    const r = this.records.get(id);
    if (r && (r.status !== status || failure !== undefined))
      this.records.set(id, withFailure({ ...r, status }, failure));
  }

  remove(id: string): void {
    this.records.delete(id);
  }

  /** A call went unanswered (or failed for want of an engine). */
  failed(): void {
    this.unresponsiveSince ??= this.now();
  }

  all(): RoomRecord[] {
    return [...this.records.values()].map((r) => this.mark(r));
  }

  one(id: string): RoomRecord | null {
    const r = this.records.get(id);
    return r ? this.mark(r) : null;
  }

  private mark(r: RoomRecord): RoomRecord {
    return this.stale ? { ...r, stale: true } : r;
  }
}
