import { isAbsolute, resolve } from 'node:path';
import type { QuotaLimits, ResolvedRoomTimeouts } from '@boxroom/contracts';
import { ConfigError, readSettings, type Env } from '@boxroom/contracts/settings';
import { parseRoleRules, type OidcConfig } from './oidc-settings.js';
import { DASHBOARD_SETTINGS, type DashboardProcess } from './dashboard-settings.js';

export { ConfigError };
export type { OidcConfig };

export type DriverChoice = (typeof DASHBOARD_SETTINGS.BOXROOM_DRIVER.values)[number];

/**
 * What every room's agent gets from the operator, whichever driver runs it
 * (drivers/room-agent-env.ts turns it and the room's own values into the agent's variables).
 */
export interface RoomAgentSettings {
  readonly logLevel: string;
  readonly controlIdleS: number;
  readonly controlGraceMs: number;
  readonly controlQueueMax: number;
  readonly viewerMaxBacklogBytes: number;
  readonly desktopGiveUpS: number;
  /** an upload's cap, and how much a room's files folder may hold (docker: its tmpfs size) */
  readonly fileMaxBytes: number;
  readonly filesQuotaBytes: number;
  readonly capture: (typeof DASHBOARD_SETTINGS.BOXROOM_CAPTURE.values)[number];
  /** a host path: local rooms only (a docker room runs its image's binary) */
  readonly captureBin: string | null;
}

/** The docker driver's settings as read; drivers/docker/from-config.ts makes its options of them. */
export interface DockerConfig {
  readonly image: string;
  readonly instance: string;
  readonly network: string;
  readonly agentAddress: 'published' | 'container';
  readonly publishHost: string;
  readonly cpus: number;
  readonly memoryMb: number;
  readonly shmMb: number;
  readonly firewall: 'auto' | 'off';
  /** BOXROOM_ROOM_EGRESS_ALLOW's items, parsed into rules by the docker driver */
  readonly egressAllow: readonly string[];
}

/** The swarm driver's own settings (image, instance and limits are DockerConfig's). */
export interface SwarmConfig {
  readonly network: string;
  /** `none`: the rooms' overlay is internal (drivers/swarm/rooms-network.ts) */
  readonly egress: 'none' | 'open';
  readonly constraints: readonly string[];
  readonly maxRoomsPerNode: number;
  readonly reserveCpus: number;
  readonly reserveMemoryMb: number;
}

/** Everything the dashboard needs from its environment, parsed once, validated and frozen. */
export interface DashboardConfig {
  readonly port: number;
  /** where the dashboard listens (default 0.0.0.0; see hostSetByOperator) */
  readonly host: string;
  /**
   * true when BOXROOM_HOST was given: a local driver that cannot separate rooms from the dashboard
   * (not run as root, or no desktop user) listens on 127.0.0.1 unless the operator chose an address
   */
  readonly hostSetByOperator: boolean;
  /** operator bearer token from BOXROOM_ADMIN_TOKEN; null: generated on first start and kept in dataDir */
  readonly adminToken: string | null;
  /** bearer for GET /metrics only (BOXROOM_METRICS_TOKEN); null: only the admin token reads it */
  readonly metricsToken: string | null;
  /** absolute; holds keys, the generated admin token, invite generations and local driver state */
  readonly dataDir: string;
  /** auto: docker when an engine and the room image are usable, else local */
  readonly driver: DriverChoice;
  /** PEM files: the dashboard serves HTTPS itself; null: plain HTTP (or TLS ends at a reverse proxy) */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | null;
  /**
   * Peers whose X-Forwarded-For / -Proto / -Host are believed (addresses, CIDRs, or proxy-addr's
   * names loopback, linklocal, uniquelocal); empty: nobody's, the client is the TCP peer
   */
  readonly trustedProxies: readonly string[];
  /** base of the links handed out (no trailing slash) */
  readonly publicUrl: string;
  readonly logLevel: string;
  /** lifetime of a participant token; clients re-join to refresh it */
  readonly tokenTtlS: number;
  readonly maxRooms: number;
  /** BOXROOM_POOL as given (null: the driver's default; absent: no pool); rooms/pool/pool-spec.ts reads it */
  readonly pool?: string | null;
  /** the bundled room agent the local driver starts; null: found next to the repository */
  readonly agentEntry: string | null;
  /** first X display number the local driver tries */
  readonly localDisplayBase: number;
  /** where the local driver keeps persistent profiles; absent: `<dataDir>-profiles` */
  readonly localProfilesDir?: string;
  /** the unprivileged user local rooms' desktops run as when the dashboard runs as root */
  readonly desktopUser: string;
  /**
   * local rooms stop themselves after this long without a call from any dashboard (0: never); the
   * dashboard calls every room at least every quarter of it
   */
  readonly localRoomOrphanS: number;
  /** timeouts of rooms created without their own, seconds, 0: off */
  readonly roomTimeouts: ResolvedRoomTimeouts;
  /** how often the reaper asks each ready room's agent whether it expired (and for control changes) */
  readonly roomPollMs: number;
  /** a room seen failed for this long is deleted, whatever its timeouts say */
  readonly failedRoomGraceS: number;
  /** per client address and minute, 0: off: joins (admin exempt), room creations, page sign-ins */
  readonly rates: {
    readonly joinPerMin: number;
    readonly createPerMin: number;
    readonly signInPerMin: number;
  };
  /** people present in a room at once; a join beyond answers 409 room_full */
  readonly maxParticipants: number;
  /** WebSockets one participant (token subject) may hold open through the edge; more: close 4429 */
  readonly maxSocketsPerPrincipal: number;
  /** the room stream (WS and HTTP-FLV) through this replica's relay (one upstream per room); false: proxied 1:1 */
  readonly relay: boolean;
  /** the built web UI (BOXROOM_WEB_DIR, absolute); null: found beside the bundle */
  readonly webDir: string | null;
  /** the operator's room templates (BOXROOM_TEMPLATES_FILE, absolute), read by the composition root; null: none */
  readonly templatesFile: string | null;
  /** what every room's agent gets, on every driver */
  readonly rooms: RoomAgentSettings;
  readonly docker: DockerConfig;
  readonly swarm: SwarmConfig;
  /** where room and control events are POSTed; null: no webhooks */
  readonly webhookUrl: string | null;
  /** HMAC key of webhook signatures; null: generated on first start and kept in dataDir */
  readonly webhookSecret: string | null;
  /** PostgreSQL holding the shared state (never logged: it carries a password); null: files in dataDir */
  readonly databaseUrl: string | null;
  readonly recordings: RecordingsConfig;
  /** operator sign-in with OpenID Connect; null: off (the admin token only) */
  readonly oidc: OidcConfig | null;
  /** the audit trail's bounds (0: none) */
  readonly audit: { readonly retentionDays: number; readonly maxEntries: number };
  /** every creator's limits unless an admin set its own (BOXROOM_QUOTA_*); null: no limit */
  readonly quotas: QuotaLimits;
}

/** Recordings: the default policy, where they live, how long and how much is kept. */
export interface RecordingsConfig {
  readonly defaultPolicy: (typeof DASHBOARD_SETTINGS.BOXROOM_RECORD.values)[number];
  /** absolute */
  readonly dir: string;
  /** 0: no age limit */
  readonly maxAgeS: number;
  /** 0: no cap */
  readonly maxBytes: number;
  readonly minFreeBytes: number;
  readonly linkTtlS: number;
}

const read = <P extends DashboardProcess>(env: Env, process: P) =>
  readSettings(DASHBOARD_SETTINGS, env, process);
type Values = ReturnType<typeof read<'dashboard'>>;

function tls(v: Values, cwd: string): DashboardConfig['tls'] {
  const cert = v.BOXROOM_TLS_CERT;
  const key = v.BOXROOM_TLS_KEY;
  if (!cert && !key) return null;
  if (!cert || !key)
    throw new ConfigError('BOXROOM_TLS_CERT and BOXROOM_TLS_KEY go together: set both or neither');
  return Object.freeze({ certFile: absolute(cert, cwd), keyFile: absolute(key, cwd) });
}

/** A quota setting (digits, checked by its pattern); unset: null, no limit. */
const whole = (raw: string | null): number | null => (raw === null ? null : Number(raw));

const absolute = (p: string, cwd: string) => (isAbsolute(p) ? p : resolve(cwd, p));

function publicUrl(raw: string | null, port: number, https: boolean): string {
  if (raw === null) return `${https ? 'https' : 'http'}://localhost:${port}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`BOXROOM_PUBLIC_URL must be an absolute URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('BOXROOM_PUBLIC_URL must be http:// or https://');
  }
  if (url.search || url.hash) throw new ConfigError('BOXROOM_PUBLIC_URL must not have a query or fragment');
  return url.toString().replace(/\/+$/, '');
}

function roomAgentSettings(v: Values): RoomAgentSettings {
  return Object.freeze({
    logLevel: v.BOXROOM_LOG_LEVEL,
    controlIdleS: v.BOXROOM_CONTROL_IDLE_S,
    controlGraceMs: v.BOXROOM_CONTROL_GRACE_MS,
    controlQueueMax: v.BOXROOM_CONTROL_QUEUE_MAX,
    viewerMaxBacklogBytes: v.BOXROOM_VIEWER_MAX_BACKLOG_BYTES,
    desktopGiveUpS: v.BOXROOM_DESKTOP_GIVE_UP_S,
    fileMaxBytes: v.BOXROOM_FILE_MAX_BYTES,
    filesQuotaBytes: v.BOXROOM_FILES_QUOTA_BYTES,
    capture: v.BOXROOM_CAPTURE,
    captureBin: v.BOXROOM_CAPTURE_BIN,
  });
}

function dockerConfig(v: Values): DockerConfig {
  return Object.freeze({
    image: v.BOXROOM_DOCKER_IMAGE,
    instance: v.BOXROOM_DOCKER_INSTANCE,
    network: v.BOXROOM_DOCKER_NETWORK,
    agentAddress: v.BOXROOM_DOCKER_AGENT_ADDRESS,
    publishHost: v.BOXROOM_DOCKER_PUBLISH_HOST,
    cpus: v.BOXROOM_ROOM_CPUS,
    memoryMb: v.BOXROOM_ROOM_MEMORY_MB,
    shmMb: v.BOXROOM_ROOM_SHM_MB,
    firewall: v.BOXROOM_ROOM_FIREWALL,
    egressAllow: v.BOXROOM_ROOM_EGRESS_ALLOW,
  });
}

function swarmConfig(v: Values): SwarmConfig {
  return Object.freeze({
    network: v.BOXROOM_SWARM_NETWORK,
    egress: v.BOXROOM_SWARM_EGRESS,
    constraints: v.BOXROOM_SWARM_CONSTRAINTS,
    maxRoomsPerNode: v.BOXROOM_SWARM_MAX_ROOMS_PER_NODE,
    reserveCpus: v.BOXROOM_SWARM_RESERVE_CPUS,
    reserveMemoryMb: v.BOXROOM_SWARM_RESERVE_MEMORY_MB,
  });
}

function oidcConfig(v: Values, publicBase: string, cwd: string): OidcConfig | null {
  const issuer = v.BOXROOM_OIDC_ISSUER;
  if (!issuer) {
    if (v.BOXROOM_OIDC_CLIENT_ID) throw new ConfigError('BOXROOM_OIDC_CLIENT_ID needs BOXROOM_OIDC_ISSUER');
    return null;
  }
  if (!v.BOXROOM_OIDC_CLIENT_ID) throw new ConfigError('BOXROOM_OIDC_ISSUER needs BOXROOM_OIDC_CLIENT_ID');
  if (v.BOXROOM_OIDC_CLIENT_SECRET && v.BOXROOM_OIDC_CLIENT_SECRET_FILE)
    throw new ConfigError('set BOXROOM_OIDC_CLIENT_SECRET or BOXROOM_OIDC_CLIENT_SECRET_FILE, not both');
  // without a rule nobody could sign in: say so at start rather than at everyone's first sign-in
  if (v.BOXROOM_OIDC_ROLES.length === 0)
    throw new ConfigError('BOXROOM_OIDC_ISSUER needs BOXROOM_OIDC_ROLES (e.g. `admins=admin,*=creator`)');
  const scopes = new Set(['openid', ...v.BOXROOM_OIDC_SCOPES.split(' ')]);
  return Object.freeze({
    issuer,
    name: v.BOXROOM_OIDC_NAME,
    clientId: v.BOXROOM_OIDC_CLIENT_ID,
    clientSecret: v.BOXROOM_OIDC_CLIENT_SECRET,
    clientSecretFile: v.BOXROOM_OIDC_CLIENT_SECRET_FILE && absolute(v.BOXROOM_OIDC_CLIENT_SECRET_FILE, cwd),
    scopes: Object.freeze([...scopes]),
    roleClaim: v.BOXROOM_OIDC_ROLE_CLAIM,
    roles: Object.freeze(parseRoleRules(v.BOXROOM_OIDC_ROLES)),
    redirectUri: `${publicBase}/api/auth/oidc/callback`,
  });
}

/** What rooms get when nobody configured anything (tests, drivers made without a config). */
export const ROOM_AGENT_DEFAULTS: RoomAgentSettings = roomAgentSettings(read({}, 'dashboard'));

/**
 * The dashboard server's one reader of its environment (the variables: dashboard-settings.ts).
 * Relative paths are resolved against cwd.
 */
export function loadDashboardConfig(env: Env = process.env, cwd: string = process.cwd()): DashboardConfig {
  const v = read(env, 'dashboard');
  const port = v.BOXROOM_PORT;
  const tlsFiles = tls(v, cwd);
  const base = publicUrl(v.BOXROOM_PUBLIC_URL, port, tlsFiles !== null);
  const config: DashboardConfig = {
    port,
    host: v.BOXROOM_HOST ?? '0.0.0.0',
    hostSetByOperator: v.BOXROOM_HOST !== null,
    adminToken: v.BOXROOM_ADMIN_TOKEN,
    metricsToken: v.BOXROOM_METRICS_TOKEN,
    dataDir: absolute(v.BOXROOM_DATA_DIR, cwd),
    driver: v.BOXROOM_DRIVER,
    tls: tlsFiles,
    trustedProxies: v.BOXROOM_TRUSTED_PROXIES,
    publicUrl: base,
    logLevel: v.BOXROOM_LOG_LEVEL,
    tokenTtlS: v.BOXROOM_TOKEN_TTL_S,
    maxRooms: v.BOXROOM_MAX_ROOMS,
    pool: v.BOXROOM_POOL,
    agentEntry: v.BOXROOM_AGENT_ENTRY && absolute(v.BOXROOM_AGENT_ENTRY, cwd),
    localDisplayBase: v.BOXROOM_LOCAL_DISPLAY_BASE,
    ...(v.BOXROOM_LOCAL_PROFILES_DIR
      ? { localProfilesDir: absolute(v.BOXROOM_LOCAL_PROFILES_DIR, cwd) }
      : {}),
    desktopUser: v.BOXROOM_DESKTOP_USER,
    localRoomOrphanS: v.BOXROOM_LOCAL_ROOM_ORPHAN_S,
    roomTimeouts: Object.freeze({
      maxAgeS: v.BOXROOM_ROOM_MAX_AGE_S,
      noViewersS: v.BOXROOM_ROOM_NO_VIEWERS_S,
      noInputS: v.BOXROOM_ROOM_NO_INPUT_S,
    }),
    roomPollMs: v.BOXROOM_ROOM_POLL_MS,
    failedRoomGraceS: v.BOXROOM_FAILED_ROOM_GRACE_S,
    rates: Object.freeze({
      joinPerMin: v.BOXROOM_RATE_JOIN_PER_MIN,
      createPerMin: v.BOXROOM_RATE_CREATE_PER_MIN,
      signInPerMin: v.BOXROOM_RATE_SIGNIN_PER_MIN,
    }),
    maxParticipants: v.BOXROOM_MAX_PARTICIPANTS,
    maxSocketsPerPrincipal: v.BOXROOM_MAX_SOCKETS_PER_PRINCIPAL,
    relay: v.BOXROOM_RELAY === 'on',
    webDir: v.BOXROOM_WEB_DIR && absolute(v.BOXROOM_WEB_DIR, cwd),
    templatesFile: v.BOXROOM_TEMPLATES_FILE && absolute(v.BOXROOM_TEMPLATES_FILE, cwd),
    rooms: roomAgentSettings(v),
    docker: dockerConfig(v),
    swarm: swarmConfig(v),
    webhookUrl: v.BOXROOM_WEBHOOK_URL && new URL(v.BOXROOM_WEBHOOK_URL).toString(),
    webhookSecret: v.BOXROOM_WEBHOOK_SECRET,
    databaseUrl: v.BOXROOM_DATABASE_URL,
    recordings: Object.freeze({
      defaultPolicy: v.BOXROOM_RECORD,
      dir: v.BOXROOM_RECORDINGS_DIR
        ? absolute(v.BOXROOM_RECORDINGS_DIR, cwd)
        : resolve(absolute(v.BOXROOM_DATA_DIR, cwd), 'recordings'),
      maxAgeS: v.BOXROOM_RECORDINGS_MAX_AGE_S,
      maxBytes: v.BOXROOM_RECORDINGS_MAX_MB * 1024 * 1024,
      minFreeBytes: v.BOXROOM_RECORDINGS_MIN_FREE_MB * 1024 * 1024,
      linkTtlS: v.BOXROOM_RECORDING_LINK_TTL_S,
    }),
    oidc: oidcConfig(v, base, cwd),
    audit: Object.freeze({
      retentionDays: v.BOXROOM_AUDIT_RETENTION_DAYS,
      maxEntries: v.BOXROOM_AUDIT_MAX_ENTRIES,
    }),
    quotas: Object.freeze({
      roomsAtOnce: whole(v.BOXROOM_QUOTA_ROOMS),
      roomHoursPerDay: whole(v.BOXROOM_QUOTA_ROOM_HOURS_PER_DAY),
      recordingBytes:
        v.BOXROOM_QUOTA_RECORDING_MB === null ? null : Number(v.BOXROOM_QUOTA_RECORDING_MB) * 1024 * 1024,
    }),
  };
  return Object.freeze(config);
}

/** compose's janitor (janitor.ts): which rooms are its instance's, where the dashboard answers. */
export interface JanitorConfig {
  readonly logLevel: string;
  readonly dashboardPort: number;
  readonly waitS: number;
  readonly docker: Pick<DockerConfig, 'instance'>;
}

export function loadJanitorConfig(env: Env = process.env): JanitorConfig {
  const v = read(env, 'janitor');
  return Object.freeze({
    logLevel: v.BOXROOM_LOG_LEVEL,
    dashboardPort: v.BOXROOM_PORT,
    waitS: v.BOXROOM_JANITOR_WAIT_S,
    docker: Object.freeze({ instance: v.BOXROOM_DOCKER_INSTANCE }),
  });
}

/** The room firewall CLI (room-firewall-cli.ts): the rooms network and its exceptions. */
export interface RoomFirewallConfig {
  readonly logLevel: string;
  readonly docker: Pick<DockerConfig, 'instance' | 'network' | 'egressAllow'>;
}

export function loadRoomFirewallConfig(env: Env = process.env): RoomFirewallConfig {
  const v = read(env, 'room-firewall');
  return Object.freeze({
    logLevel: v.BOXROOM_LOG_LEVEL,
    docker: Object.freeze({
      instance: v.BOXROOM_DOCKER_INSTANCE,
      network: v.BOXROOM_DOCKER_NETWORK,
      egressAllow: v.BOXROOM_ROOM_EGRESS_ALLOW,
    }),
  });
}

/** `npm run migrate` (migrate-cli.ts): the database to migrate. */
export interface MigrateConfig {
  readonly logLevel: string;
  readonly databaseUrl: string | null;
}

export function loadMigrateConfig(env: Env = process.env): MigrateConfig {
  const v = read(env, 'migrate');
  return Object.freeze({ logLevel: v.BOXROOM_LOG_LEVEL, databaseUrl: v.BOXROOM_DATABASE_URL });
}
