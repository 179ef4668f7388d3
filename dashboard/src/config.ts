import { isAbsolute, resolve } from 'node:path';
import { isIP } from 'node:net';
import { ROOM_TIMEOUT_MAX_S, type ResolvedRoomTimeouts } from '@boxroom/contracts';

export type DriverChoice = 'docker' | 'local' | 'auto';

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
  /** the bundled room agent the local driver starts; null: found next to the repository */
  readonly agentEntry: string | null;
  /** first X display number the local driver tries */
  readonly localDisplayBase: number;
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
  /** where room and control events are POSTed; null: no webhooks */
  readonly webhookUrl: string | null;
  /** HMAC key of webhook signatures; null: generated on first start and kept in dataDir */
  readonly webhookSecret: string | null;
  /** PostgreSQL holding the shared state of replicated dashboards (a secret: never logged); null: files in dataDir */
  readonly databaseUrl: string | null;
}

/** Defaults of the room timeouts: an abandoned room (nobody watching for an hour) is freed. */
export const ROOM_TIMEOUT_DEFAULTS: ResolvedRoomTimeouts = Object.freeze({
  maxAgeS: 0,
  noViewersS: 3600,
  noInputS: 0,
});

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function int(env: Env, key: string, def: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return def;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${key} must be an integer, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${key} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function oneOf<T extends string>(env: Env, key: string, allowed: readonly T[], def: T): T {
  const raw = env[key];
  if (raw === undefined || raw === '') return def;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${key} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function desktopUser(env: Env): string {
  const raw = env.BOXROOM_DESKTOP_USER;
  if (raw === undefined || raw === '') return 'boxroom-desktop';
  // useradd's portable names: the value reaches agents and `id`, never a shell, but stays plain.
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(raw))
    throw new ConfigError(`BOXROOM_DESKTOP_USER must be a user name like boxroom-desktop, got "${raw}"`);
  return raw;
}

function orphanS(env: Env): number {
  const n = int(env, 'BOXROOM_LOCAL_ROOM_ORPHAN_S', 600, 0, ROOM_TIMEOUT_MAX_S);
  // The dashboard calls each room every quarter of it: much shorter would turn one slow call into an orphan.
  if (n > 0 && n < 20)
    throw new ConfigError(`BOXROOM_LOCAL_ROOM_ORPHAN_S must be 0 (off) or at least 20, got ${n}`);
  return n;
}

function adminToken(env: Env): string | null {
  const raw = env.BOXROOM_ADMIN_TOKEN;
  if (raw === undefined || raw === '') return null;
  // Guessable operator tokens would hand out every room: insist on some length.
  if (raw.length < 16) throw new ConfigError('BOXROOM_ADMIN_TOKEN must be at least 16 characters');
  if (/\s/.test(raw)) throw new ConfigError('BOXROOM_ADMIN_TOKEN must not contain whitespace');
  return raw;
}

function tls(env: Env, cwd: string): DashboardConfig['tls'] {
  const cert = env.BOXROOM_TLS_CERT || null;
  const key = env.BOXROOM_TLS_KEY || null;
  if (!cert && !key) return null;
  if (!cert || !key)
    throw new ConfigError('BOXROOM_TLS_CERT and BOXROOM_TLS_KEY go together: set both or neither');
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  return Object.freeze({ certFile: abs(cert), keyFile: abs(key) });
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** What fastify's trustProxy (proxy-addr) takes: an address, address/prefix, or a name. */
function validProxy(item: string): boolean {
  if (PROXY_NAMES.has(item)) return true;
  const [addr = '', prefix, ...rest] = item.split('/');
  const family = isIP(addr);
  if (!family || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

function trustedProxies(env: Env): readonly string[] {
  const raw = env.BOXROOM_TRUSTED_PROXIES;
  if (raw === undefined || raw.trim() === '') return Object.freeze([]);
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of list) {
    if (!validProxy(item)) {
      throw new ConfigError(
        `BOXROOM_TRUSTED_PROXIES: "${item}" is not an address, a CIDR, loopback, linklocal or uniquelocal`,
      );
    }
  }
  return Object.freeze(list);
}

function publicUrl(env: Env, port: number, https: boolean): string {
  const raw = env.BOXROOM_PUBLIC_URL;
  if (raw === undefined || raw === '') return `${https ? 'https' : 'http'}://localhost:${port}`;
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

function webhookUrl(env: Env): string | null {
  const raw = env.BOXROOM_WEBHOOK_URL;
  if (raw === undefined || raw === '') return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('BOXROOM_WEBHOOK_URL must be an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('BOXROOM_WEBHOOK_URL must be http:// or https://');
  }
  return url.toString();
}

function webhookSecret(env: Env): string | null {
  const raw = env.BOXROOM_WEBHOOK_SECRET;
  if (raw === undefined || raw === '') return null;
  // The value itself never appears in an error: it is a secret.
  if (raw.length < 16) throw new ConfigError('BOXROOM_WEBHOOK_SECRET must be at least 16 characters');
  return raw;
}

function databaseUrl(env: Env): string | null {
  const raw = env.BOXROOM_DATABASE_URL;
  if (raw === undefined || raw === '') return null;
  // The value carries a password: the error never repeats it.
  let protocol = '';
  try {
    protocol = new URL(raw).protocol;
  } catch {
    // reported below
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:')
    throw new ConfigError('BOXROOM_DATABASE_URL must be a postgres:// or postgresql:// URL');
  return raw;
}

export function loadDashboardConfig(env: Env = process.env, cwd: string = process.cwd()): DashboardConfig {
  const port = int(env, 'BOXROOM_PORT', 8080, 0, 65535);
  const dataDirRaw = env.BOXROOM_DATA_DIR || './.data';
  const agentEntryRaw = env.BOXROOM_AGENT_ENTRY || null;
  const tlsFiles = tls(env, cwd);
  const config: DashboardConfig = {
    port,
    host: env.BOXROOM_HOST || '0.0.0.0',
    hostSetByOperator: Boolean(env.BOXROOM_HOST),
    adminToken: adminToken(env),
    dataDir: isAbsolute(dataDirRaw) ? dataDirRaw : resolve(cwd, dataDirRaw),
    driver: oneOf(env, 'BOXROOM_DRIVER', ['docker', 'local', 'auto'] as const, 'auto'),
    tls: tlsFiles,
    trustedProxies: trustedProxies(env),
    publicUrl: publicUrl(env, port, tlsFiles !== null),
    logLevel: oneOf(env, 'BOXROOM_LOG_LEVEL', LOG_LEVELS, 'info'),
    // Pages renew their token before it expires; a short TTL (down to 10 s) is for tests.
    tokenTtlS: int(env, 'BOXROOM_TOKEN_TTL_S', 3600, 10, 7 * 24 * 3600),
    maxRooms: int(env, 'BOXROOM_MAX_ROOMS', 20, 1, 1000),
    agentEntry: agentEntryRaw && (isAbsolute(agentEntryRaw) ? agentEntryRaw : resolve(cwd, agentEntryRaw)),
    localDisplayBase: int(env, 'BOXROOM_LOCAL_DISPLAY_BASE', 100, 1, 60000),
    desktopUser: desktopUser(env),
    localRoomOrphanS: orphanS(env),
    roomTimeouts: Object.freeze({
      maxAgeS: int(env, 'BOXROOM_ROOM_MAX_AGE_S', ROOM_TIMEOUT_DEFAULTS.maxAgeS, 0, ROOM_TIMEOUT_MAX_S),
      noViewersS: int(
        env,
        'BOXROOM_ROOM_NO_VIEWERS_S',
        ROOM_TIMEOUT_DEFAULTS.noViewersS,
        0,
        ROOM_TIMEOUT_MAX_S,
      ),
      noInputS: int(env, 'BOXROOM_ROOM_NO_INPUT_S', ROOM_TIMEOUT_DEFAULTS.noInputS, 0, ROOM_TIMEOUT_MAX_S),
    }),
    roomPollMs: int(env, 'BOXROOM_ROOM_POLL_MS', 5000, 200, 600_000),
    failedRoomGraceS: int(env, 'BOXROOM_FAILED_ROOM_GRACE_S', 300, 0, ROOM_TIMEOUT_MAX_S),
    rates: Object.freeze({
      joinPerMin: int(env, 'BOXROOM_RATE_JOIN_PER_MIN', 60, 0, 100_000),
      createPerMin: int(env, 'BOXROOM_RATE_CREATE_PER_MIN', 60, 0, 100_000),
      signInPerMin: int(env, 'BOXROOM_RATE_SIGNIN_PER_MIN', 10, 0, 100_000),
    }),
    maxParticipants: int(env, 'BOXROOM_MAX_PARTICIPANTS', 250, 1, 100_000),
    maxSocketsPerPrincipal: int(env, 'BOXROOM_MAX_SOCKETS_PER_PRINCIPAL', 8, 1, 1000),
    webhookUrl: webhookUrl(env),
    webhookSecret: webhookSecret(env),
    databaseUrl: databaseUrl(env),
  };
  return Object.freeze(config);
}
