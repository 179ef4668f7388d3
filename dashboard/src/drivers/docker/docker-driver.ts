import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { errors } from '../../errors.js';
import type { Logger } from '../../logger.js';
import {
  profileOf,
  type DriverEvents,
  type DriverHealth,
  type RoomDriver,
  type RoomRecord,
  type RoomSpec,
  type RoomStatus,
} from '../../rooms/room-driver.js';
import { agentSaysReady } from '../agent-readiness.js';
import { CachedRooms } from '../cached-rooms.js';
import { ReadyWatches } from '../ready-watches.js';
import { withFailure } from '../room-failure.js';
import { roomStatusMove } from '../room-status-move.js';
import { failureFromEvent, failureFromInspect, type InspectedState } from './container-failure.js';
import { containerCreateOptions } from './container-options.js';
import { ENGINE_DEADLINE_MS as DEADLINE, EngineTimeout, withDeadline } from './engine-deadline.js';
import { containerEventFilters, EventStream, type ContainerEvent } from './event-stream.js';
import { LABEL, labelFilter } from './labels.js';
import { ensureRoomsNetwork, roomsBridge } from './network.js';
import type { ResolvedOptions } from './options.js';
import { ProfileVolumes } from './profile-volumes.js';
import { applyRoomFirewall } from './room-firewall.js';
import { recordFromSummary, statusFromEvent } from './room-status.js';

const GONE_POLL_MS = 100;
/** init() asks the agents of starting rooms once, so a restarted dashboard lists a ready room as ready. */
const INIT_PROBE_TIMEOUT_MS = 1_000;

function httpStatus(err: unknown): number | undefined {
  return (err as { statusCode?: number } | null)?.statusCode;
}

/**
 * One container per room, from the room image. Holds no state of its own beyond what it is doing
 * right now (rooms being deleted, the last status it announced): the engine's labels are the record.
 */
export class DockerRoomDriver extends EventEmitter<DriverEvents> implements RoomDriver {
  readonly kind = 'docker' as const;
  private readonly deleting = new Set<string>();
  /** last status announced per room, so repeated or replayed events do not announce twice */
  private readonly announced = new Map<string, RoomStatus>();
  /**
   * Why each failed room failed, as far as an event or an inspect said more than the list entry can
   * (out of memory, the healthcheck's output); dropped when the room moves on or goes.
   */
  private readonly failures = new Map<string, string>();
  /**
   * Rooms whose agent said ready (GET /healthz?wait=) before the engine's first healthcheck, which
   * runs up to its 1 s interval later (measured: 0.1-1 s, about 0.5 s on average).
   */
  private readonly ready: ReadyWatches;
  private events: EventStream | null = null;
  /** the engine's answers, and the last known rooms (marked stale) while it does not answer */
  private readonly reads: CachedRooms;
  /** persistent profiles: named volumes, kept when their rooms go */
  readonly profiles: ProfileVolumes;

  constructor(
    private readonly docker: Docker,
    private readonly o: ResolvedOptions,
    private readonly log: Logger,
  ) {
    super();
    this.profiles = new ProfileVolumes(docker, o.instance);
    this.ready = new ReadyWatches({
      url: async (id) => (await this.get(id))?.agentUrl ?? null,
      onReady: (id) => this.announce(id, 'ready'),
      log,
    });
    this.reads = new CachedRooms({
      readAll: () => this.listFromEngine(),
      readOne: async (id) => {
        const c = (await this.listContainers(id))[0];
        const r = c ? recordFromSummary(c, this.o, this.ready.saidReady) : null;
        // one inspect the first time a failed room is read: a restarted dashboard learns why too
        if (r?.status === 'failed' && !this.failures.has(id)) await this.learnFailure(id, c!.Id, r.failure);
        return r && this.withNotedFailure(r);
      },
      view: (r) => this.withNotedFailure(this.withDeleting(r)),
      answersAgain: () => void this.resync(),
      log,
      engine: 'docker engine',
    });
  }

  async init(): Promise<void> {
    const network = await withDeadline('network', DEADLINE.network, (signal) =>
      ensureRoomsNetwork(this.docker, this.o.network, this.o.instance, signal),
    );
    if (network === 'created') {
      this.log.info({ network: this.o.network }, 'created the rooms network (inter-container traffic off)');
    }
    await this.fenceRoomsNetwork();
    // A room can be ready while the engine's first healthcheck has not run yet (up to 1 s).
    const starting = (await this.list()).filter((r) => r.status === 'starting' && r.agentUrl);
    await Promise.all(
      starting.map(async (r) => {
        if (await agentSaysReady(r.agentUrl!, INIT_PROBE_TIMEOUT_MS)) this.ready.markReady(r.spec.id);
      }),
    );
    const rooms = await this.list();
    for (const r of rooms) this.announced.set(r.spec.id, r.status);
    this.log.info({ rooms: rooms.length, instance: this.o.instance }, 'docker driver found its rooms');
    for (const r of rooms) if (r.status === 'starting') this.ready.watch(r.spec.id);
    this.events = new EventStream(
      this.docker,
      containerEventFilters(this.o.instance),
      this.log,
      (e) => this.onEvent(e),
      () => void this.resync(),
    );
    await this.events.open();
  }

  async create(spec: RoomSpec): Promise<RoomRecord> {
    // An engine seen hanging gets one short ping: a create fails in a second, not in fifteen.
    if (this.reads.stale) {
      // dockerode's ping takes an abort signal; its types do not say so
      const ping = this.docker.ping.bind(this.docker) as (o: {
        abortSignal: AbortSignal;
      }) => Promise<unknown>;
      await this.call('ping', DEADLINE.ping, (abortSignal) => ping({ abortSignal }));
    }
    const profile = profileOf(spec);
    if (profile) await this.call('volume', DEADLINE.create, () => this.profiles.ensure(profile));
    let container: Docker.Container;
    try {
      container = await this.call('create', DEADLINE.create, (abortSignal) =>
        this.docker.createContainer({ ...containerCreateOptions(spec, this.o), abortSignal }),
      );
    } catch (err) {
      if (httpStatus(err) === 409) throw errors.conflict(`room ${spec.id} already exists`);
      throw err;
    }
    try {
      await this.call('start', DEADLINE.start, (abortSignal) => container.start({ abortSignal }));
    } catch (err) {
      // A container that never started is no room: leave nothing behind.
      await withDeadline('remove', DEADLINE.remove, (abortSignal) =>
        container.remove({ force: true, abortSignal }),
      ).catch(() => undefined);
      throw err;
    }
    this.ready.watch(spec.id);
    return (await this.get(spec.id)) ?? { spec, status: 'starting', agentUrl: null };
  }

  /** Every room of this instance (cached-rooms.ts: the cache while the engine does not answer). */
  list(): Promise<RoomRecord[]> {
    return this.reads.list();
  }

  get(id: string): Promise<RoomRecord | null> {
    return this.reads.get(id);
  }

  health(): DriverHealth {
    return this.reads.health();
  }

  async delete(id: string): Promise<void> {
    // No cache here: deleting needs the engine, and says so (503) when it does not answer.
    const containers = await this.listContainers(id, true);
    if (containers.length === 0) return;
    this.ready.unwatch(id);
    this.deleting.add(id);
    this.announce(id, 'stopping');
    try {
      for (const c of containers) {
        const container = this.docker.getContainer(c.Id);
        // 304: already stopped, 404: already gone; either way on to removal.
        const stopMs = this.o.stopTimeoutS * 1000 + DEADLINE.stopMargin;
        await withDeadline('stop', stopMs, (abortSignal) =>
          container.stop({ t: this.o.stopTimeoutS, abortSignal }),
        ).catch((err: unknown) => {
          if (httpStatus(err) !== 304 && httpStatus(err) !== 404) throw err;
        });
        // 409: someone else's removal is in progress; the wait below sees it through.
        await withDeadline('remove', DEADLINE.remove, (abortSignal) =>
          container.remove({ force: true, v: true, abortSignal }),
        ).catch((err: unknown) => {
          if (httpStatus(err) !== 404 && httpStatus(err) !== 409) throw err;
        });
        await this.waitGone(container);
      }
    } finally {
      this.deleting.delete(id);
    }
  }

  async close(): Promise<void> {
    this.events?.close();
    this.events = null;
    this.ready.close();
  }

  /**
   * Rooms must not reach this host or private addresses (room-firewall-rules.ts). Best effort: a
   * dashboard without the right to change the host's rules still runs rooms, and says plainly
   * that they are not fenced and what to run instead.
   */
  private async fenceRoomsNetwork(): Promise<void> {
    if (this.o.firewall === 'off') {
      this.log.warn(
        'BOXROOM_ROOM_FIREWALL=off: the rooms network is fenced only by what the operator installed',
      );
      return;
    }
    const bridge = await roomsBridge(this.docker, this.o.network);
    if (!bridge) {
      this.log.warn(
        { network: this.o.network },
        'rooms network is not a bridge of our own: no room firewall, rooms can reach this host and private addresses',
      );
      return;
    }
    const result = await applyRoomFirewall(bridge, {
      allow: this.o.egressAllow,
      ...(this.o.dnsServers ? { dnsServers: this.o.dnsServers } : {}),
      log: this.log,
    });
    if (!result.installed) {
      this.log.warn(
        { bridge, reason: result.reason },
        'room firewall NOT installed: rooms can reach this host (the dashboard too) and private or metadata ' +
          `addresses. Run as root on the host: BOXROOM_DOCKER_NETWORK=${this.o.network} bash scripts/room-firewall.sh ` +
          '(docs/security.md, "Docker rooms")',
      );
    }
  }

  private async waitGone(container: Docker.Container): Promise<void> {
    const deadline = Date.now() + DEADLINE.gone;
    for (;;) {
      try {
        await withDeadline('inspect', DEADLINE.inspect, (abortSignal) => container.inspect({ abortSignal }));
      } catch (err) {
        if (httpStatus(err) === 404) return;
        throw err;
      }
      if (Date.now() > deadline) throw new EngineTimeout('remove', DEADLINE.gone);
      await sleep(GONE_POLL_MS);
    }
  }

  /** `cold`: nothing to fall back on if the engine is slow (a delete, or no full list seen yet) */
  private listContainers(id?: string, cold = this.reads.cold): Promise<Docker.ContainerInfo[]> {
    return withDeadline('list', cold ? DEADLINE.listCold : DEADLINE.list, (abortSignal) =>
      this.docker.listContainers({
        all: true,
        filters: { label: labelFilter(this.o.instance, id) },
        abortSignal,
      }),
    );
  }

  private async listFromEngine(): Promise<RoomRecord[]> {
    const containers = await this.listContainers();
    const records = containers.flatMap((c) => {
      const r = recordFromSummary(c, this.o, this.ready.saidReady);
      if (!r) this.log.warn({ container: c.Id }, 'container with unreadable room labels, ignored');
      if (r?.status === 'failed' && !this.failures.has(r.spec.id))
        void this.learnFailure(r.spec.id, c.Id, r.failure);
      return r ? [this.withNotedFailure(this.withDeleting(r))] : [];
    });
    // a reason outlives no room: gone or recovered while no event said so (a missed destroy)
    const failed = new Set(records.filter((r) => r.status === 'failed').map((r) => r.spec.id));
    for (const id of this.failures.keys()) if (!failed.has(id)) this.failures.delete(id);
    return records;
  }

  /** An engine call under its deadline that, failing for want of an engine, marks the cache stale. */
  private call<T>(what: string, ms: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return this.reads.call(() => withDeadline(what, ms, fn));
  }

  private withDeleting(r: RoomRecord): RoomRecord {
    return this.deleting.has(r.spec.id) ? withFailure({ ...r, status: 'stopping' }) : r;
  }

  /** A failed room with the best reason heard (an event, an inspect) over its list entry's. */
  private withNotedFailure(r: RoomRecord): RoomRecord {
    const noted = this.failures.get(r.spec.id);
    return r.status === 'failed' && noted ? withFailure(r, noted) : r;
  }

  /**
   * Asks the engine why a room's container failed (one inspect); `known`: what was heard so far, kept
   * when the inspect says nothing more, so a room is inspected once. An engine that does not answer
   * changes nothing (the next read asks again).
   */
  private async learnFailure(id: string, containerId: string, known?: string | null): Promise<void> {
    const before = this.announced.get(id);
    try {
      const info = await withDeadline('inspect', DEADLINE.inspect, (abortSignal) =>
        this.docker.getContainer(containerId).inspect({ abortSignal }),
      );
      const failure = failureFromInspect(info.State as InspectedState) ?? known;
      const now = this.announced.get(id);
      // moved on while the engine answered (came back, going, gone): kept, it would name the next failure
      if (!failure || now === 'stopping' || (now !== before && now !== 'failed')) return;
      this.failures.set(id, failure);
      if (this.announced.get(id) === 'failed') this.reads.cache.setStatus(id, 'failed', failure);
    } catch (err) {
      this.log.debug({ err, room: id }, 'could not inspect a failed room');
    }
  }

  private onEvent(e: ContainerEvent): void {
    const id = e.Actor?.Attributes?.[LABEL.id];
    if (!id) return;
    // The engine's events of our delete may be read after delete() returned: a room announced
    // stopping is still being removed, and its kill and die are part of that, not a failure.
    const removing = this.deleting.has(id) || this.announced.get(id) === 'stopping';
    const status = statusFromEvent(e.Action, removing);
    // the engine has its own verdict now (or the container is going): ours is no longer needed
    if (status && status !== 'starting') this.ready.unwatch(id);
    if (status === 'failed') {
      const failure = failureFromEvent(e.Action, e.Actor.Attributes);
      if (failure) this.failures.set(id, failure);
      this.announce(id, status, failure);
      // the event says what happened; an inspect says more (out of memory, the healthcheck's output)
      void this.learnFailure(id, e.Actor.ID);
    } else if (status) this.announce(id, status);
    if (e.Action === 'destroy') {
      this.announced.delete(id);
      this.failures.delete(id);
      this.reads.cache.remove(id);
    }
  }

  /** Every status change, through the shared table (room-status-move.ts): repeats and illegal moves stop here. */
  private announce(id: string, status: RoomStatus, failure?: string | null): void {
    // a room that moves on (recovers, restarts, goes) has no failure any more
    if (status !== 'failed') this.failures.delete(id);
    if (!roomStatusMove(this.log, id, this.announced.get(id), status)) return;
    this.announced.set(id, status);
    this.reads.cache.setStatus(id, status, failure);
    this.log.debug({ room: id, status }, 'room status');
    this.emit('status', id, status);
  }

  /** After the event stream was down: announce whatever changed meanwhile. */
  private async resync(): Promise<void> {
    try {
      const rooms = await this.list();
      const present = new Set(rooms.map((r) => r.spec.id));
      for (const r of rooms) this.announce(r.spec.id, r.status);
      for (const id of [...this.announced.keys()]) {
        if (!present.has(id)) {
          this.announce(id, 'stopping');
          this.announced.delete(id);
        }
      }
    } catch (err) {
      this.log.warn({ err }, 'docker resync failed');
    }
  }
}
