import { EventEmitter } from 'node:events';
import type { DriverEvents, RoomDriver, RoomRecord, RoomSpec, RoomStatus } from '../rooms/room-driver.js';

/** An in-memory RoomDriver for route tests: rooms "run" wherever agentUrl says. Never proof that rooms work. */
export class FakeDriver extends EventEmitter<DriverEvents> implements RoomDriver {
  readonly kind = 'local' as const;
  readonly rooms = new Map<string, RoomRecord>();
  /** status a created room gets */
  createStatus: RoomStatus = 'ready';
  deleted: string[] = [];

  constructor(public agentUrl: string | null = null) {
    super();
  }

  async init(): Promise<void> {}

  async create(spec: RoomSpec): Promise<RoomRecord> {
    const r: RoomRecord = { spec, status: this.createStatus, agentUrl: this.agentUrl };
    this.rooms.set(spec.id, r);
    return r;
  }

  async list(): Promise<RoomRecord[]> {
    return [...this.rooms.values()];
  }

  async get(id: string): Promise<RoomRecord | null> {
    return this.rooms.get(id) ?? null;
  }

  async delete(id: string): Promise<void> {
    if (this.rooms.delete(id)) this.deleted.push(id);
  }

  async close(): Promise<void> {}

  setStatus(id: string, status: RoomStatus): void {
    const r = this.rooms.get(id);
    if (r) this.rooms.set(id, { ...r, status });
  }
}
