import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { errors } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type {
  DriverEvents,
  DriverHealth,
  RoomDriver,
  RoomRecord,
  RoomSpec,
  RoomStatus,
} from '../../rooms/room-driver.js';
import { agentSaysReady } from '../agent-readiness.js';
import { CachedRooms } from '../cached-rooms.js';
import { ENGINE_DEADLINE_MS as DEADLINE, EngineTimeout } from '../docker/engine-deadline.js';
import { containerEventFilters, EventStream, type ContainerEvent } from '../docker/event-stream.js';
import { LABEL } from '../docker/labels.js';
import { ReadyWatches } from '../ready-watches.js';
import { withFailure } from '../room-failure.js';
import { roomStatusMove } from '../room-status-move.js';
import type { ResolvedSwarmOptions } from './options.js';
import { pickNode, type SwarmNodeInfo } from './placement.js';
import { roomServiceSpec, serviceName } from './service-spec.js';
import { httpStatus, SwarmEngine } from './swarm-engine.js';
import {
  currentTask,
  nodeDownFailure,
  recordFromService,
  type SwarmServiceInfo,
  type SwarmTaskInfo,
} from './task-status.js';

/**
 * The engine emits no event when a task changes state (Engine 20.10, checked on this machine: a
 * task failing on a worker says nothing on the manager's stream, and a node going down leaves its
 * tasks `running`). Service and node events, and the local engine's container events, cover most;
 * this slow re-read of every room is the backstop for a task ending on another node.
 */
export const RECONCILE_MS = 5_000;
const GONE_POLL_MS = 250;
const INIT_PROBE_TIMEOUT_MS = 1_000;

/**
 * One swarm service per room, one task, placed by this driver on the node with the fewest rooms.
 * The services' labels are the record, as the docker driver's containers' are; this holds only what
 * it is doing now (deletes, last announced statuses, nodes seen down, where each room's task runs).
 */
export class SwarmRoomDriver extends EventEmitter<DriverEvents> implements RoomDriver {
  readonly kind = 'swarm' as const;
  private readonly engine: SwarmEngine;
  private readonly deleting = new Set<string>();
  private readonly announced = new Map<string, RoomStatus>();
  private readonly ready: ReadyWatches;
  /** the manager's answers, and the last known rooms (marked stale) while it does not answer */
  private readonly reads: CachedRooms;
  /** down nodes' hostnames by id: their rooms are failed whatever their tasks still say */
  private readonly downNodes = new Map<string, string>();
  /** the node of each room's task, from the last read */
  private readonly roomNodes = new Map<string, string>();
  private readonly streams: EventStream[] = [];
  private reconcileTimer: NodeJS.Timeout | null = null;
  /** the last create's placement: the next one waits for it (create()) */
  private placing: Promise<unknown> = Promise.resolve();

  constructor(
    engine: SwarmEngine,
    private readonly o: ResolvedSwarmOptions,
    private readonly log: Logger,
  ) {
    super();
    this.engine = engine;
    this.ready = new ReadyWatches({
      url: async (id) => (await this.get(id))?.agentUrl ?? null,
      onReady: (id) => this.announce(id, 'ready'),
      log,
    });
    this.reads = new CachedRooms({
      readAll: () => this.readRooms(),
      readOne: async (id) => (await this.readRooms(id))[0] ?? null,
      view: (r) => this.withDeleting(r),
      answersAgain: () => void this.resync(),
      log,
      engine: 'swarm manager',
    });
  }

  async init(): Promise<void> {
    await this.readNodes().catch((err: unknown) => {
      // 503 "This node is not a swarm manager": say what to do instead of the engine's words only
      if (httpStatus(err) === 503)
        throw new Error(
          'BOXROOM_DRIVER=swarm needs the engine of a swarm manager (docker swarm init, or join as manager)',
          { cause: err },
        );
      throw err;
    });
    if ((await this.engine.ensureOverlay(this.o.network, this.o.egress)) === 'created')
      this.log.info({ network: this.o.network, egress: this.o.egress }, 'created the rooms overlay network');
    const starting = (await this.list()).filter((r) => r.status === 'starting' && r.agentUrl);
    await Promise.all(
      starting.map(async (r) => {
        if (await agentSaysReady(r.agentUrl!, INIT_PROBE_TIMEOUT_MS)) this.ready.markReady(r.spec.id);
      }),
    );
    const rooms = await this.list();
    for (const r of rooms) this.announced.set(r.spec.id, r.status);
    for (const r of rooms) if (r.status === 'starting') this.ready.watch(r.spec.id);
    this.log.info({ rooms: rooms.length, instance: this.o.instance }, 'swarm driver found its rooms');
    const resync = () => void this.resync();
    const docker = this.engine.docker;
    // service and node events carry no labels of ours: every one comes, the handler picks
    this.streams.push(
      new EventStream(docker, { type: ['service', 'node'] }, this.log, (e) => this.onSwarmEvent(e), resync),
    );
    // the manager's own containers: a room task dying here is known at once
    this.streams.push(
      new EventStream(
        docker,
        containerEventFilters(this.o.instance),
        this.log,
        (e) => this.onContainerEvent(e),
        resync,
      ),
    );
    await Promise.all(this.streams.map((s) => s.open()));
    this.reconcileTimer = setInterval(resync, RECONCILE_MS);
    this.reconcileTimer.unref();
  }

  async create(spec: RoomSpec): Promise<RoomRecord> {
    if (spec.profile) throw errors.badRequest('persistent profiles are not available on the swarm driver');
    // One placement at a time in this replica: counting, then creating, two concurrent creates would
    // both see the same counts and could both go over the per-node cap. A failed create must not
    // stop the ones queued behind it. Across replicas nothing serialises them: there the cap is soft.
    const placing = this.placing.then(() => this.place(spec));
    this.placing = placing.catch(() => undefined);
    const node = await placing;
    this.log.info({ room: spec.id, node: node.Description?.Hostname ?? node.ID }, 'room placed');
    this.ready.watch(spec.id);
    return (await this.get(spec.id)) ?? { spec, status: 'starting', agentUrl: null };
  }

  /** Picks the node and creates the room's service there (create() runs one at a time). */
  private async place(spec: RoomSpec): Promise<SwarmNodeInfo> {
    // three independent reads of the manager: one round trip's wait, not three
    const [nodes, services, tasks] = await Promise.all([
      this.reads.call(() => this.engine.nodes()),
      this.reads.call(() => this.engine.services()),
      this.reads.call(() => this.engine.tasks()),
    ]);
    const perNode = new Map<string, number>();
    for (const s of services) {
      const t = currentTask(tasks.filter((x) => x.ServiceID === s.ID));
      // a service created a moment ago may have no task placed yet: it counts where it was pinned
      const nodeId = t?.NodeID ?? this.roomNodes.get(s.Spec?.Labels?.[LABEL.id] ?? '');
      if (nodeId && (!t || t.DesiredState === 'running')) perNode.set(nodeId, (perNode.get(nodeId) ?? 0) + 1);
    }
    const placed = pickNode(nodes, perNode, this.o.constraints, this.o.maxRoomsPerNode);
    if ('none' in placed) throw errors.noRoomCapacity(`no node can take a room now: ${placed.none}`);
    try {
      await this.reads.call(() => this.engine.createService(roomServiceSpec(spec, this.o, placed.node.ID)));
    } catch (err) {
      if (httpStatus(err) === 409) throw errors.conflict(`room ${spec.id} already exists`);
      throw err;
    }
    this.roomNodes.set(spec.id, placed.node.ID);
    return placed.node;
  }
  /** Every room of this instance (cached-rooms.ts: the cache while the manager does not answer). */
  list(): Promise<RoomRecord[]> {
    return this.reads.list();
  }

  get(id: string): Promise<RoomRecord | null> {
    return this.reads.get(id);
  }

  health(): DriverHealth {
    return this.reads.health();
  }

  /** Removes the service; resolves once the swarm has no task of it left (its containers stopped). */
  async delete(id: string): Promise<void> {
    const services = await this.engine.services(id);
    if (services.length === 0) return;
    this.ready.unwatch(id);
    this.deleting.add(id);
    this.announce(id, 'stopping');
    try {
      for (const s of services) await this.engine.removeService(s.ID);
      const waitMs = this.o.stopTimeoutS * 1000 + DEADLINE.stopMargin;
      const deadline = Date.now() + waitMs;
      for (;;) {
        // a down node's tasks stay listed until it comes back: nothing to wait for there
        const left = await this.engine.tasks(id);
        if (left.every((t) => t.NodeID && this.downNodes.has(t.NodeID))) break;
        if (Date.now() > deadline) throw new EngineTimeout('remove', waitMs);
        await sleep(GONE_POLL_MS);
      }
    } finally {
      this.deleting.delete(id);
      this.roomNodes.delete(id);
    }
  }

  async close(): Promise<void> {
    for (const s of this.streams.splice(0)) s.close();
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    this.reconcileTimer = null;
    this.ready.close();
  }

  /** Services (one room: `id`) and their tasks, as records; notes where each room runs. */
  private async readRooms(id?: string): Promise<RoomRecord[]> {
    const cold = this.reads.cold || id !== undefined;
    const services = await this.engine.services(id, cold);
    const tasks = await this.engine.tasks(id, cold);
    return services.flatMap((s) =>
      this.record(
        s,
        tasks.filter((t) => t.ServiceID === s.ID),
      ),
    );
  }

  private record(s: SwarmServiceInfo, tasks: SwarmTaskInfo[]): RoomRecord[] {
    const r = recordFromService(s, tasks, {
      instance: this.o.instance,
      agentSaidReady: this.ready.saidReady,
      downNodes: this.downNodes,
    });
    if (!r) {
      this.log.warn({ service: s.ID }, 'service with unreadable room labels, ignored');
      return [];
    }
    const task = currentTask(tasks);
    if (task?.NodeID) this.roomNodes.set(r.spec.id, task.NodeID);
    if (r.status === 'failed' && r.failure && this.announced.get(r.spec.id) !== 'failed')
      this.log.warn({ room: r.spec.id, reason: r.failure }, 'room failed');
    return [this.withDeleting(r)];
  }

  private async readNodes(): Promise<void> {
    for (const n of await this.engine.nodes()) {
      if (n.Status?.State === 'down') this.downNodes.set(n.ID, n.Description?.Hostname ?? n.ID);
      else this.downNodes.delete(n.ID);
    }
  }

  private onSwarmEvent(e: ContainerEvent): void {
    const attrs = e.Actor?.Attributes ?? {};
    if (e.Type === 'node') {
      const state = attrs['state.new'];
      if (state === 'down') this.nodeDown(e.Actor.ID, attrs.name || e.Actor.ID);
      else if (state === 'ready') this.downNodes.delete(e.Actor.ID);
      return;
    }
    const prefix = serviceName(this.o.instance, '');
    const name = attrs.name ?? '';
    if (e.Type === 'service' && name.startsWith(prefix)) void this.refreshRoom(name.slice(prefix.length));
  }

  private onContainerEvent(e: ContainerEvent): void {
    const id = e.Actor?.Attributes?.[LABEL.id];
    if (id) void this.refreshRoom(id);
  }

  /** Re-reads one room (its service and tasks only) and announces what changed. */
  private async refreshRoom(id: string): Promise<void> {
    try {
      const r = await this.get(id);
      if (r) this.announce(id, r.status);
      else this.forget(id);
    } catch (err) {
      this.log.warn({ err, room: id }, 'swarm room re-read failed');
    }
  }

  /**
   * A node is down: its tasks will not report again (the manager keeps saying `running`), so its
   * rooms are failed now, with the reason, and stay failed (recordFromService reads downNodes). They
   * are removed the way every failed room is, by the RoomManager's failed-room sweep
   * (BOXROOM_FAILED_ROOM_GRACE_S), whose tear-down also ends the room's quota time, invites, rights
   * and recordings and announces it (webhook `room.deleted`, cause `failed`): a removal from here
   * would skip all that. The swarm itself never restarts them elsewhere (restart policy none).
   */
  private nodeDown(nodeId: string, hostname: string): void {
    this.downNodes.set(nodeId, hostname);
    const reason = nodeDownFailure(hostname);
    const lost = [...this.roomNodes].filter(([, n]) => n === nodeId).map(([room]) => room);
    this.log.warn({ node: hostname, rooms: lost }, reason);
    for (const room of lost) {
      this.log.warn({ room, reason }, 'room failed');
      this.announce(room, 'failed', reason);
    }
  }

  private forget(id: string): void {
    if (!this.announced.has(id)) return;
    this.announce(id, 'stopping');
    this.announced.delete(id);
    this.reads.cache.remove(id);
    this.roomNodes.delete(id);
    this.ready.unwatch(id);
  }

  /** `failure`: why, when the driver knows better than its last read (a node just seen down). */
  private announce(id: string, status: RoomStatus, failure?: string): void {
    // a ready room keeps the agent's word: its task says `starting` until the next healthcheck
    if (status === 'failed' || status === 'stopping') this.ready.unwatch(id);
    if (!roomStatusMove(this.log, id, this.announced.get(id), status)) return;
    this.announced.set(id, status);
    this.reads.cache.setStatus(id, status, failure);
    this.log.debug({ room: id, status }, 'room status');
    this.emit('status', id, status);
  }

  /** The backstop (RECONCILE_MS) and after an event stream came back: announce what changed. */
  private async resync(): Promise<void> {
    try {
      await this.readNodes();
      const rooms = await this.list();
      const present = new Set(rooms.map((r) => r.spec.id));
      for (const r of rooms) this.announce(r.spec.id, r.status);
      for (const id of [...this.announced.keys()]) if (!present.has(id)) this.forget(id);
    } catch (err) {
      this.log.warn({ err }, 'swarm resync failed');
    }
  }

  private withDeleting(r: RoomRecord): RoomRecord {
    return this.deleting.has(r.spec.id) ? withFailure({ ...r, status: 'stopping' }) : r;
  }
}
