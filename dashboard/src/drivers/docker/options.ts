import type Docker from 'dockerode';
import { ROOM_AGENT_DEFAULTS, type RoomAgentSettings } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { EgressRule } from './room-firewall-rules.js';

export interface DockerDriverOptions {
  /** a dockerode client, or its connection options; default: DOCKER_HOST or /var/run/docker.sock */
  docker?: Docker | Docker.DockerOptions;
  /** default boxroom/room:latest (what scripts/images.sh builds) */
  image?: string;
  /** scopes the rooms to this dashboard deployment (label io.boxroom.instance); default "default" */
  instance?: string;
  /** PEM of the dashboard's token-signing public key, handed to every agent */
  publicKeyPem: string;
  /**
   * Network the room containers join; default `boxroom-rooms`. When missing, init() creates it as a
   * bridge with inter-container traffic off (`com.docker.network.bridge.enable_icc=false`), so rooms
   * reach the internet but not each other. The engine's default `bridge` lets rooms talk: avoid it.
   */
  network?: string;
  /**
   * How the dashboard reaches an agent. `published` (default): the agent port is published on
   * `publishHost` with an engine-chosen port, for a dashboard on the host or in host network mode.
   * `container`: the container's address on `network`, for a dashboard container on that network
   * (only works when that network lets the dashboard talk to rooms, i.e. one created with ICC on).
   */
  agentAddress?: 'published' | 'container';
  /** default 127.0.0.1: agents are never reachable from outside the machine */
  publishHost?: string;
  limits?: Partial<RoomLimits>;
  /** seconds between SIGTERM and SIGKILL on delete; default 10 */
  stopTimeoutS?: number;
  /**
   * The rooms network's firewall (drivers/docker/room-firewall.ts): `auto` (default) installs it
   * with iptables when it can and warns when it cannot; `off` leaves the host's rules alone (the
   * operator runs scripts/room-firewall.sh, or accepts rooms reaching the host and private nets).
   */
  firewall?: 'auto' | 'off';
  /** destinations rooms may reach despite the firewall (BOXROOM_ROOM_EGRESS_ALLOW, parsed) */
  egressAllow?: readonly EgressRule[];
  /** resolvers rooms may query on port 53; default: the host's resolv.conf */
  dnsServers?: readonly string[];
  /** what every room's agent gets (the dashboard's BOXROOM_CONTROL_* and the like); default: the defaults */
  room?: RoomAgentSettings;
  log?: Logger;
}

export interface RoomLimits {
  /** 1e9 = one core */
  nanoCpus: number;
  memoryBytes: number;
  /** /dev/shm: Chromium needs far more than the engine's 64 MiB default */
  shmBytes: number;
  pids: number;
  /** size of /tmp and of the run dir (HOME, PulseAudio socket, app profile); counts against memory */
  tmpfsBytes: number;
}

export const DEFAULT_LIMITS: RoomLimits = {
  nanoCpus: 1_000_000_000,
  memoryBytes: 1024 * 1024 * 1024,
  shmBytes: 256 * 1024 * 1024,
  pids: 1024,
  tmpfsBytes: 256 * 1024 * 1024,
};

export const DEFAULT_IMAGE = 'boxroom/room:latest';
export const DEFAULT_NETWORK = 'boxroom-rooms';
/** The agent's port inside the container (BOXROOM_AGENT_PORT in room-image/Dockerfile). */
export const AGENT_PORT = 9000;
/**
 * The agent runs as root in its container, bounded to exactly these capabilities: chown and fowner
 * to hand the desktop its files (X cookie copy, home), setuid and setgid to start the desktop as
 * its own user, kill to end that user's processes (desktop reset). Nothing else: no net_raw,
 * net_admin, dac_override, sys_ptrace or sys_admin.
 */
export const AGENT_CAPS = ['CHOWN', 'FOWNER', 'SETUID', 'SETGID', 'KILL'] as const;
/** The user the room image's agent runs as, set explicitly so the image's USER cannot change it. */
export const AGENT_USER = 'root';
/** The agent's private run dir (its HOME): tmpfs owned by root, 0700. */
export const RUN_DIR = '/run/room';
/**
 * Parent of the desktop's dir (BOXROOM_DESKTOP_DIR in room-image/Dockerfile, where the agent makes
 * the desktop's HOME for uid 1001): a tmpfs of root's, 0755, so the desktop user cannot create or
 * replace anything in it (a symlink where the agent is about to make the dir).
 */
export const DESKTOP_ROOT = '/run/boxroom-desktop';

/**
 * The room's files folder (BOXROOM_FILES_DIR): a tmpfs of its own, the desktop user's (uid 1001 in
 * the room image), as large as BOXROOM_FILES_QUOTA_BYTES: the kernel bounds what uploads (and the
 * desktop itself) can put there, whatever the agent counts.
 */
export const FILES_DIR = '/run/boxroom-files';
/**
 * Where a room with a persistent profile mounts its volume (BOXROOM_DESKTOP_HOME): outside
 * DESKTOP_ROOT, whose desktop dir the agent makes afresh at every start.
 */
export const PROFILE_HOME = '/run/boxroom-profile';
/** The room image's desktop user (`boxroom-desktop`). */
export const DESKTOP_UID = 1001;

/** Part of container and service names, and of a label filter. */
export const INSTANCE_PATTERN = /^[a-z0-9][a-z0-9-]{0,30}$/;

export interface ResolvedOptions {
  readonly image: string;
  readonly instance: string;
  readonly publicKeyPem: string;
  readonly network: string;
  readonly agentAddress: 'published' | 'container';
  readonly publishHost: string;
  readonly limits: RoomLimits;
  readonly stopTimeoutS: number;
  readonly firewall: 'auto' | 'off';
  readonly egressAllow: readonly EgressRule[];
  readonly dnsServers: readonly string[] | undefined;
  readonly room: RoomAgentSettings;
}

export function resolveOptions(opts: DockerDriverOptions): ResolvedOptions {
  const instance = opts.instance ?? 'default';
  // It becomes part of container names and a label filter: keep it to a safe alphabet.
  if (!INSTANCE_PATTERN.test(instance))
    throw new Error(`docker driver instance must match ${INSTANCE_PATTERN}`);
  const agentAddress = opts.agentAddress ?? 'published';
  return Object.freeze({
    image: opts.image ?? DEFAULT_IMAGE,
    instance,
    publicKeyPem: opts.publicKeyPem,
    network: opts.network ?? DEFAULT_NETWORK,
    agentAddress,
    publishHost: opts.publishHost ?? '127.0.0.1',
    limits: Object.freeze({ ...DEFAULT_LIMITS, ...opts.limits }),
    stopTimeoutS: opts.stopTimeoutS ?? 10,
    firewall: opts.firewall ?? 'auto',
    egressAllow: Object.freeze([...(opts.egressAllow ?? [])]),
    dnsServers: opts.dnsServers,
    room: opts.room ?? ROOM_AGENT_DEFAULTS,
  });
}
