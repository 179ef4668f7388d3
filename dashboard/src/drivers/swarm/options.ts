import type Docker from 'dockerode';
import { ROOM_AGENT_DEFAULTS, type RoomAgentSettings } from '../../config.js';
import type { Logger } from '../../logger.js';
import { DEFAULT_IMAGE, DEFAULT_LIMITS, INSTANCE_PATTERN, type RoomLimits } from '../docker/options.js';
import { DEFAULT_SWARM_EGRESS, type SwarmEgress } from './rooms-network.js';

export interface SwarmDriverOptions {
  /** a dockerode client of a swarm manager, or its connection options; default: DOCKER_HOST or the socket */
  docker?: Docker | Docker.DockerOptions;
  /** the room image; it must be on every node that may run rooms (no registry is assumed) */
  image?: string;
  /** scopes the rooms to this deployment (label io.boxroom.instance); default "default" */
  instance?: string;
  publicKeyPem: string;
  /**
   * The attachable overlay rooms and dashboards share; default `boxroom-rooms`. Created by init()
   * when missing. Dashboards reach agents on it by service name (endpoint mode dnsrr): no port is
   * published per room, and no service VIP or ingress mesh is needed.
   */
  network?: string;
  /**
   * What rooms reach off the overlay (rooms-network.ts): `none` (default) makes the overlay
   * internal; an existing overlay must already be so, or init() stops with what to do.
   */
  egress?: SwarmEgress;
  /** swarm placement constraints (`node.labels.rooms==yes`); a room goes only to nodes meeting all */
  constraints?: readonly string[];
  /** rooms one node may hold at once; 0: no cap */
  maxRoomsPerNode?: number;
  /** limits as the docker driver's (cores, memory, shm, pids, tmpfs) */
  limits?: Partial<RoomLimits>;
  /** what the scheduler keeps free per room; default: none */
  reservations?: Partial<RoomReservations>;
  /** seconds between SIGTERM and SIGKILL on delete; default 10 */
  stopTimeoutS?: number;
  room?: RoomAgentSettings;
  log?: Logger;
}

export interface RoomReservations {
  nanoCpus: number;
  memoryBytes: number;
}

export interface ResolvedSwarmOptions {
  readonly image: string;
  readonly instance: string;
  readonly publicKeyPem: string;
  readonly network: string;
  readonly egress: SwarmEgress;
  readonly constraints: readonly string[];
  readonly maxRoomsPerNode: number;
  readonly limits: RoomLimits;
  readonly reservations: RoomReservations;
  readonly stopTimeoutS: number;
  readonly room: RoomAgentSettings;
}

export const DEFAULT_SWARM_NETWORK = 'boxroom-rooms';

export function resolveSwarmOptions(opts: SwarmDriverOptions): ResolvedSwarmOptions {
  const instance = opts.instance ?? 'default';
  // part of service names (DNS labels) and of a label filter
  if (!INSTANCE_PATTERN.test(instance))
    throw new Error(`swarm driver instance must match ${INSTANCE_PATTERN}`);
  return Object.freeze({
    image: opts.image ?? DEFAULT_IMAGE,
    instance,
    publicKeyPem: opts.publicKeyPem,
    network: opts.network ?? DEFAULT_SWARM_NETWORK,
    egress: opts.egress ?? DEFAULT_SWARM_EGRESS,
    constraints: Object.freeze([...(opts.constraints ?? [])]),
    maxRoomsPerNode: opts.maxRoomsPerNode ?? 0,
    limits: Object.freeze({ ...DEFAULT_LIMITS, ...opts.limits }),
    reservations: Object.freeze({ nanoCpus: 0, memoryBytes: 0, ...opts.reservations }),
    stopTimeoutS: opts.stopTimeoutS ?? 10,
    room: opts.room ?? ROOM_AGENT_DEFAULTS,
  });
}
