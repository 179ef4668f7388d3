import { EventEmitter } from 'node:events';
import {
  profileOf,
  type DriverEvents,
  type ProfileRef,
  type ProfileStorage,
  type RoomDriver,
  type RoomRecord,
  type RoomSpec,
  type RoomStatus,
} from '../rooms/room-driver.js';
import { withFailure } from '../drivers/room-failure.js';

/** Profiles' homes in memory: made by a room's create, measured as 1 KiB, removed on request. */
export class MemoryProfiles implements ProfileStorage {
  readonly homes = new Set<string>();
  private static key = (ref: ProfileRef) => JSON.stringify([ref.owner, ref.name]);
  make(ref: ProfileRef): void {
    this.homes.add(MemoryProfiles.key(ref));
  }
  has(ref: ProfileRef): boolean {
    return this.homes.has(MemoryProfiles.key(ref));
  }
  async measure(ref: ProfileRef): Promise<number | null> {
    return this.has(ref) ? 1024 : null;
  }
  async remove(ref: ProfileRef): Promise<void> {
    this.homes.delete(MemoryProfiles.key(ref));
  }
}

/** An in-memory RoomDriver for route tests: rooms "run" wherever agentUrl says. Never proof that rooms work. */
export class FakeDriver extends EventEmitter<DriverEvents> implements RoomDriver {
  readonly kind = 'local' as const;
  readonly rooms = new Map<string, RoomRecord>();
  /** status a created room gets */
  createStatus: RoomStatus = 'ready';
  deleted: string[] = [];
  readonly profiles = new MemoryProfiles();
  /** a create that throws this (once) fails, as a runtime that cannot start the room */
  failNextCreate: Error | null = null;

  constructor(public agentUrl: string | null = null) {
    super();
  }

  async init(): Promise<void> {}

  async create(spec: RoomSpec): Promise<RoomRecord> {
    const failure = this.failNextCreate;
    this.failNextCreate = null;
    if (failure) throw failure;
    const profile = profileOf(spec);
    if (profile) this.profiles.make(profile);
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

  /** `failure`: why, for a failed room (the drivers' `withFailure` drops it for any other status) */
  setStatus(id: string, status: RoomStatus, failure?: string | null): void {
    const r = this.rooms.get(id);
    if (r) this.rooms.set(id, withFailure({ ...r, status }, failure));
  }
}
