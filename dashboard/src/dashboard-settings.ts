import { isIP } from 'node:net';
import { ROOM_TIMEOUT_MAX_S } from '@boxroom/contracts';
import { AGENT_SETTINGS, defineSettings, LOG_LEVELS } from '@boxroom/contracts/settings';
import { AUDIT_SETTINGS } from './audit-settings.js';
import { DOCKER_ROOM_SETTINGS } from './docker-room-settings.js';
import { SWARM_ROOM_SETTINGS } from './swarm-room-settings.js';
import { RECORDING_SETTINGS } from './recording-settings.js';
import { OIDC_SETTINGS } from './oidc-settings.js';
import { QUOTA_SETTINGS } from './quota-settings.js';
import { POOL_SETTINGS } from './pool-settings.js';

/** The programs built from dashboard/src: the server, compose's janitor, the room firewall CLI, `npm run migrate`. */
export type DashboardProcess = 'dashboard' | 'janitor' | 'room-firewall' | 'migrate';

const dash = ['dashboard'] as const;

const MAX_RATE = 100_000;

/**
 * Agent settings an operator sets once for every room: the dashboard reads them and hands the same
 * values to rooms on every driver (drivers/room-agent-env.ts). Their bounds are the agent's own.
 */
type AgentSettings = typeof AGENT_SETTINGS;
const forRooms = <K extends keyof AgentSettings>(
  name: K,
  doc: string,
): Omit<AgentSettings[K], 'processes' | 'doc'> & {
  readonly processes: typeof dash;
  readonly doc: string;
} => ({
  ...AGENT_SETTINGS[name],
  processes: dash,
  doc: `rooms: ${doc}`,
});

const timeout = (def: number, doc: string) =>
  ({ type: 'int', default: def, min: 0, max: ROOM_TIMEOUT_MAX_S, processes: dash, doc }) as const;

/**
 * Every variable the dashboard's programs read; config.ts is their one reader, and the table in
 * dashboard/README.md is rendered from this one (scripts/settings-docs.mjs; config-docs.test.ts).
 */
export const DASHBOARD_SETTINGS = defineSettings(['dashboard', 'janitor', 'room-firewall', 'migrate'], {
  BOXROOM_PORT: {
    type: 'int',
    default: 8080,
    min: 0,
    max: 65535,
    processes: ['dashboard', 'janitor'],
    doc: "the dashboard's port (the janitor asks it on 127.0.0.1 whether the dashboard is still there)",
  },
  BOXROOM_HOST: {
    type: 'string',
    default: null,
    docDefault: '`0.0.0.0`',
    processes: dash,
    doc: 'listen address; unset and local rooms not separated from the dashboard (not root, or no desktop user): `127.0.0.1`',
  },
  BOXROOM_ADMIN_TOKEN: {
    type: 'string',
    default: null,
    docDefault: 'generated',
    processes: dash,
    // a guessable operator token would hand out every room; the value never appears in an error
    check: (v) =>
      v.length < 16 ? 'must be at least 16 characters' : /\s/.test(v) ? 'must not contain whitespace' : null,
    doc: 'operator bearer; at least 16 characters. Unset: generated on first start, printed once, kept in `<data>/admin-token`',
  },
  BOXROOM_METRICS_TOKEN: {
    type: 'string',
    default: null,
    docDefault: 'none',
    processes: dash,
    check: (v) =>
      v.length < 16 ? 'must be at least 16 characters' : /\s/.test(v) ? 'must not contain whitespace' : null,
    doc: 'a bearer that may read `/metrics` and nothing else (for Prometheus); at least 16 characters. The admin token may always read it',
  },
  BOXROOM_DATA_DIR: {
    type: 'string',
    default: './.data',
    processes: dash,
    doc: 'keys, admin token, invite generations, kicks and revocations, local driver state',
  },
  BOXROOM_DRIVER: {
    type: 'enum',
    values: ['auto', 'docker', 'swarm', 'local'],
    default: 'auto',
    processes: dash,
    doc: '`docker`, `swarm` (rooms as services of the swarm the engine manages) or `local`; auto takes docker when its module exists and `dockerUsable()` is true (never swarm)',
  },
  BOXROOM_PUBLIC_URL: {
    type: 'string',
    default: null,
    docDefault: '`http://localhost:<port>`',
    processes: dash,
    doc: 'base of the links handed out (`https://` by default with TLS)',
  },
  BOXROOM_TLS_CERT: {
    type: 'string',
    default: null,
    processes: dash,
    doc: 'PEM certificate: serve HTTPS directly (with `BOXROOM_TLS_KEY`: both or neither); see [docs/https.md](../docs/https.md)',
  },
  BOXROOM_TLS_KEY: {
    type: 'string',
    default: null,
    processes: dash,
    doc: "the certificate's PEM private key",
  },
  BOXROOM_TRUSTED_PROXIES: {
    type: 'list',
    processes: dash,
    check: (item) =>
      validProxy(item) ? null : 'is not an address, a CIDR, loopback, linklocal or uniquelocal',
    doc: 'comma list of addresses, CIDRs, `loopback`, `linklocal`, `uniquelocal`: peers whose `X-Forwarded-For`/`-Proto`/`-Host` are believed; from anyone else ignored',
  },
  BOXROOM_LOG_LEVEL: {
    type: 'enum',
    values: LOG_LEVELS,
    default: 'info',
    processes: ['dashboard', 'janitor', 'room-firewall', 'migrate'],
    doc: 'pino level; also every room agent gets it',
  },
  BOXROOM_TOKEN_TTL_S: {
    type: 'int',
    default: 3600,
    // pages renew their token before it expires; a short TTL (down to 10 s) is for tests
    min: 10,
    max: 7 * 24 * 3600,
    processes: dash,
    doc: 'participant token lifetime (10 s to 7 days); the room page renews before it runs out (`POST /api/rooms/:id/token`)',
  },
  BOXROOM_MAX_ROOMS: {
    type: 'int',
    default: 20,
    min: 1,
    max: 1000,
    processes: dash,
    doc: 'POST /api/rooms answers 409 beyond it',
  },
  BOXROOM_MAX_PARTICIPANTS: {
    type: 'int',
    default: 250,
    min: 1,
    max: 100_000,
    processes: dash,
    doc: "people present in a room at once (the agent's session presence); a join beyond answers 409 `room_full`",
  },
  BOXROOM_MAX_SOCKETS_PER_PRINCIPAL: {
    type: 'int',
    default: 8,
    min: 1,
    max: 1000,
    processes: dash,
    doc: 'WebSockets one token subject may hold open through the edge (a page uses three); one more is closed with 4429',
  },
  BOXROOM_RELAY: {
    type: 'enum',
    values: ['on', 'off'],
    default: 'on',
    processes: dash,
    doc: "`WS /rooms/:id/stream` and `GET /rooms/:id/stream.flv` through one upstream per room and dashboard replica, fanned out here (the agent still checks every viewer's token); `off`: one agent connection per viewer",
  },
  BOXROOM_RATE_JOIN_PER_MIN: {
    type: 'int',
    default: 60,
    min: 0,
    max: MAX_RATE,
    processes: dash,
    doc: 'joins per client address and minute (bursts of half that); beyond: 429 with `Retry-After`; the admin bearer is exempt; 0: off',
  },
  BOXROOM_RATE_CREATE_PER_MIN: {
    type: 'int',
    default: 60,
    min: 0,
    max: MAX_RATE,
    processes: dash,
    doc: 'room creations per client address and minute, likewise',
  },
  BOXROOM_RATE_SIGNIN_PER_MIN: {
    type: 'int',
    default: 10,
    min: 0,
    max: MAX_RATE,
    processes: dash,
    doc: 'page sign-ins (`POST /api/session`, admin token guesses, and OpenID Connect sign-ins begun) per client address and minute, likewise',
  },
  BOXROOM_AGENT_ENTRY: {
    type: 'string',
    default: null,
    docDefault: 'found',
    processes: dash,
    doc: "the local driver's agent bundle (default: `room-agent/dist/room-agent.mjs` above this module or the cwd)",
  },
  BOXROOM_LOCAL_DISPLAY_BASE: {
    type: 'int',
    default: 100,
    min: 1,
    max: 60000,
    processes: dash,
    doc: 'first X display the local driver tries',
  },
  BOXROOM_LOCAL_PROFILES_DIR: {
    type: 'string',
    default: null,
    docDefault: '`<data>-profiles`',
    processes: dash,
    doc: "where the local driver keeps persistent profiles (the desktops' homes kept across rooms): outside the data dir, which desktop users may not enter",
  },
  BOXROOM_DESKTOP_USER: {
    type: 'string',
    default: 'boxroom-desktop',
    // useradd's portable names: the value reaches agents and `id`, never a shell, but stays plain
    pattern: { re: /^[a-z_][a-z0-9_-]{0,31}$/, like: 'a user name like boxroom-desktop' },
    processes: dash,
    doc: "run as root, each local room's desktop runs as a user of its own (`bxd-<room>`, made and removed with the room); where none can be made, as this one (`scripts/setup.sh` creates it)",
  },
  BOXROOM_LOCAL_ROOM_ORPHAN_S: {
    type: 'int',
    default: 600,
    min: 0,
    max: ROOM_TIMEOUT_MAX_S,
    // the dashboard calls each room every quarter of it: much shorter would turn one slow call into an orphan
    check: (n) => (n > 0 && n < 20 ? 'must be 0 (off) or at least 20' : null),
    processes: dash,
    doc: 'a local room stops itself after this long without a call from any dashboard (0: never; else at least 20)',
  },
  BOXROOM_ROOM_MAX_AGE_S: timeout(
    0,
    'default for rooms created without `timeouts.maxAgeS`: delete a room this long after its creation; 0: off',
  ),
  BOXROOM_ROOM_NO_VIEWERS_S: timeout(
    3600,
    'default `timeouts.noViewersS`: delete a room nobody watched (session or stream) for this long; 0: off',
  ),
  BOXROOM_ROOM_NO_INPUT_S: timeout(
    0,
    'default `timeouts.noInputS`: delete a room nobody sent input to for this long; 0: off',
  ),
  BOXROOM_ROOM_POLL_MS: {
    type: 'int',
    default: 5000,
    min: 200,
    max: 600_000,
    processes: dash,
    doc: "how often the reaper asks each ready room's agent whether it expired (and for control changes to relay)",
  },
  BOXROOM_FAILED_ROOM_GRACE_S: {
    type: 'int',
    default: 300,
    min: 0,
    max: ROOM_TIMEOUT_MAX_S,
    processes: dash,
    doc: 'a room seen `failed` this long is deleted whatever its timeouts (webhook `room.deleted`, `cause: "failed"`); 0: at the next sweep',
  },
  BOXROOM_WEBHOOK_URL: {
    type: 'string',
    default: null,
    check: (v) => (httpUrl(v) ? null : 'must be an absolute http:// or https:// URL'),
    processes: dash,
    doc: 'POST signed room and control events here; see [docs/webhooks.md](../docs/webhooks.md)',
  },
  BOXROOM_WEBHOOK_SECRET: {
    type: 'string',
    default: null,
    docDefault: 'generated',
    // the value itself never appears in an error: it is a secret
    check: (v) => (v.length < 16 ? 'must be at least 16 characters' : null),
    processes: dash,
    doc: 'HMAC key of webhook signatures (16+ characters); unset: generated on first use, kept in `<data>/webhook-secret`',
  },
  ...RECORDING_SETTINGS,
  ...QUOTA_SETTINGS,
  ...POOL_SETTINGS,
  ...AUDIT_SETTINGS,
  BOXROOM_DATABASE_URL: {
    type: 'string',
    default: null,
    docDefault: '(none): files',
    // the value carries a password: the check's message never repeats it
    check: (v) => (postgresUrl(v) ? null : 'must be a postgres:// or postgresql:// URL'),
    processes: ['dashboard', 'migrate'],
    doc: 'PostgreSQL for the state (invites, kicks, leases, webhook outbox) of several dashboards serving one deployment; migrated at start; see [docs/operations.md](../docs/operations.md)',
  },
  BOXROOM_TEMPLATES_FILE: {
    type: 'string',
    default: null,
    docDefault: 'none',
    processes: dash,
    doc: 'JSON file of room templates (`{"templates": [...]}`), checked at start; see [docs/templates.md](../docs/templates.md)',
  },
  ...OIDC_SETTINGS,
  BOXROOM_WEB_DIR: {
    type: 'string',
    default: null,
    docDefault: 'found',
    processes: dash,
    doc: 'the built web UI (`web/dist`, or `web` beside the bundle in the image)',
  },
  BOXROOM_CONTROL_IDLE_S: forRooms(
    'BOXROOM_CONTROL_IDLE_S',
    'control is released after this long without input (0: never)',
  ),
  BOXROOM_CONTROL_GRACE_MS: forRooms(
    'BOXROOM_CONTROL_GRACE_MS',
    'a disconnected controller keeps control this long',
  ),
  BOXROOM_CONTROL_QUEUE_MAX: forRooms(
    'BOXROOM_CONTROL_QUEUE_MAX',
    'people waiting for control at most; a request beyond answers 409',
  ),
  BOXROOM_VIEWER_MAX_BACKLOG_BYTES: forRooms(
    'BOXROOM_VIEWER_MAX_BACKLOG_BYTES',
    'a viewer with more unsent video than this is dropped (close 4408); 1 to 256 MiB',
  ),
  BOXROOM_DESKTOP_GIVE_UP_S: forRooms(
    'BOXROOM_DESKTOP_GIVE_UP_S',
    'a desktop not all ready this long fails its room (0: never)',
  ),
  BOXROOM_CAPTURE: forRooms(
    'BOXROOM_CAPTURE',
    '`damage` (frames on change), `x11grab`, or `auto` (damage where boxroom-capture is built)',
  ),
  BOXROOM_FILE_MAX_BYTES: forRooms('BOXROOM_FILE_MAX_BYTES', 'an upload larger than this is refused (413)'),
  BOXROOM_FILES_QUOTA_BYTES: forRooms(
    'BOXROOM_FILES_QUOTA_BYTES',
    "a room's files folder holds at most this much (docker: the size of its tmpfs, which counts against the room's memory)",
  ),
  BOXROOM_CAPTURE_BIN: {
    ...AGENT_SETTINGS.BOXROOM_CAPTURE_BIN,
    docDefault: "next to the agent's bundle",
    processes: dash,
    doc: "local rooms: the boxroom-capture binary (docker rooms use their image's)",
  },
  ...DOCKER_ROOM_SETTINGS,
  ...SWARM_ROOM_SETTINGS,
  BOXROOM_JANITOR_WAIT_S: {
    type: 'number',
    default: 5,
    min: 0,
    max: 600,
    processes: ['janitor'],
    doc: "compose's janitor: how long a stopped dashboard may take to answer again before its rooms are removed (0 to 600)",
  },
});

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

function httpUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function postgresUrl(v: string): boolean {
  try {
    const { protocol } = new URL(v);
    return protocol === 'postgres:' || protocol === 'postgresql:';
  } catch {
    return false;
  }
}
