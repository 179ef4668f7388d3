import { accessSync, constants, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOM_APPS, ROOM_DEFAULTS, ROOM_LIMITS, ROOM_TIMEOUT_MAX_S, type RoomApp } from '@boxroom/contracts';

/** damage: boxroom-capture feeds ffmpeg only what changed; x11grab: ffmpeg grabs every frame itself */
export type CaptureMode = 'damage' | 'x11grab';

/** Everything a room agent needs, parsed once from the environment, validated and frozen. */
export interface AgentConfig {
  readonly roomId: string;
  /** address the agent's HTTP/WS port binds to (127.0.0.1 on a host, 0.0.0.0 in a container) */
  readonly host: string;
  readonly port: number;
  /** X display number: Xvfb listens on :display */
  readonly display: number;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly app: RoomApp;
  readonly capture: CaptureMode;
  /** the boxroom-capture binary (used in damage mode) */
  readonly captureBin: string;
  /**
   * node-media-server's HTTP-FLV port on 127.0.0.1 (signed plays: diagnostics and tests); 0 picks a
   * free port. There is no RTMP port: ffmpeg publishes through its stdout.
   */
  readonly mediaHttpPort: number;
  /** the agent's private dir (0700): X cookie, x11vnc's socket, PulseAudio's state, media store */
  readonly runDir: string;
  /**
   * The desktop's own dir, outside runDir: its home, its copy of the X cookie, the PulseAudio socket
   * it may use. Its parents must be searchable by the desktop user (the default is under the tmpdir).
   */
  readonly desktopDir: string;
  /** the user the desktop runs as when the agent is root (see desktop/desktop-user.ts) */
  readonly desktopUser: string;
  /** the agent stops itself after this long without a request authenticated by a dashboard token; 0: never */
  readonly dashboardSilenceMs: number;
  /** PEM of the dashboard's public key (Ed25519); tokens are verified with it */
  readonly publicKeyPem: string;
  /** a viewer whose unsent bytes exceed this is dropped (close 4408) instead of buffered */
  readonly viewerMaxBacklogBytes: number;
  readonly controlIdleMs: number;
  /** how long a disconnected holder keeps control, for reconnects */
  readonly controlGraceMs: number;
  /** the room's lifecycle timeouts (the dashboard resolves per-room values and defaults); 0: off */
  readonly roomMaxAgeMs: number;
  readonly roomNoViewersMs: number;
  readonly roomNoInputMs: number;
  /** ms since epoch the room was created; its age counts from there */
  readonly roomCreatedAt: number;
  /** people waiting for control at most (a request beyond: 409) */
  readonly controlQueueMax: number;
  /** the desktop not all ready for this long: the room has failed (close 4504, agent exits); 0: never */
  readonly desktopGiveUpMs: number;
  readonly logLevel: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function int(env: Env, key: string, def: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return def;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(`${key} must be an integer, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${key} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function publicKey(env: Env): string {
  const pem = env.BOXROOM_PUBLIC_KEY;
  if (pem) return pem.replace(/\\n/g, '\n');
  const file = env.BOXROOM_PUBLIC_KEY_FILE;
  if (file) return readFileSync(file, 'utf8');
  throw new ConfigError(
    'BOXROOM_PUBLIC_KEY or BOXROOM_PUBLIC_KEY_FILE is required (PEM of the dashboard public key)',
  );
}

export const DEFAULT_DESKTOP_USER = 'boxroom-desktop';

function desktopUser(env: Env): string {
  const name = env.BOXROOM_DESKTOP_USER || DEFAULT_DESKTOP_USER;
  if (!/^[a-z_][a-z0-9_.-]{0,31}$/i.test(name))
    throw new ConfigError(`BOXROOM_DESKTOP_USER must be a user name, got "${name}"`);
  return name;
}

export const ROOM_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Where boxroom-capture is looked for, and how: injectable so tests need no binary. */
export interface CaptureLookup {
  defaultBin: string;
  executable(path: string): boolean;
}

/** boxroom-capture next to the agent's bundle (room-agent/dist/, or /opt/boxroom/ in the image). */
export const defaultCaptureLookup = (): CaptureLookup => ({
  defaultBin: join(dirname(fileURLToPath(import.meta.url)), 'boxroom-capture'),
  executable: (path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
});

/**
 * BOXROOM_CAPTURE: `auto` (the default: damage when the boxroom-capture binary is there, x11grab on a
 * host that had no C compiler or X headers at setup), `damage` or `x11grab`. Damage capture encodes
 * only what changes: measured in Chromium (`npm run bench -- --quick --only g2g720,idle`), the idle room
 * fell from 26.7 to ~6 % of a core and glass-to-glass p50 from ~95 to ~55-65 ms, once the player moved
 * frames that follow a gap back to its playhead (web/src/mpegts/low-latency-remux.ts).
 */
function captureMode(env: Env, lookup: CaptureLookup): { capture: CaptureMode; captureBin: string } {
  const captureBin = env.BOXROOM_CAPTURE_BIN || lookup.defaultBin;
  const mode = env.BOXROOM_CAPTURE || 'auto';
  if (mode !== 'auto' && mode !== 'damage' && mode !== 'x11grab')
    throw new ConfigError(`BOXROOM_CAPTURE must be damage, x11grab or auto, got "${mode}"`);
  if (mode === 'x11grab') return { capture: 'x11grab', captureBin };
  const found = lookup.executable(captureBin);
  if (mode === 'damage' && !found)
    throw new ConfigError(
      `BOXROOM_CAPTURE=damage but ${captureBin} is not an executable (see scripts/build.mjs)`,
    );
  return { capture: found ? 'damage' : 'x11grab', captureBin };
}

export function loadAgentConfig(
  env: Env = process.env,
  now: number = Date.now(),
  lookup: CaptureLookup = defaultCaptureLookup(),
): AgentConfig {
  const roomId = env.BOXROOM_ROOM_ID ?? 'room';
  if (!ROOM_ID_PATTERN.test(roomId))
    throw new ConfigError(`BOXROOM_ROOM_ID must match ${ROOM_ID_PATTERN}, got "${roomId}"`);
  const display = int(env, 'BOXROOM_DISPLAY', 99, 1, 65535 - 6000);
  const { width: w, height: h, fps } = ROOM_LIMITS;
  const width = int(env, 'BOXROOM_WIDTH', ROOM_DEFAULTS.width, w.minimum, w.maximum);
  const height = int(env, 'BOXROOM_HEIGHT', ROOM_DEFAULTS.height, h.minimum, h.maximum);
  if (width % 2 || height % 2)
    throw new ConfigError('BOXROOM_WIDTH and BOXROOM_HEIGHT must be even (H.264 4:2:0)');
  const app = (env.BOXROOM_APP ?? ROOM_DEFAULTS.app) as RoomApp;
  if (!ROOM_APPS.includes(app))
    throw new ConfigError(`BOXROOM_APP must be ${ROOM_APPS.join(' or ')}, got "${app}"`);
  const config: AgentConfig = {
    roomId,
    host: env.BOXROOM_AGENT_HOST ?? '127.0.0.1',
    port: int(env, 'BOXROOM_AGENT_PORT', 9000, 0, 65535),
    display,
    width,
    height,
    fps: int(env, 'BOXROOM_FPS', ROOM_DEFAULTS.fps, fps.minimum, fps.maximum),
    app,
    ...captureMode(env, lookup),
    mediaHttpPort: int(env, 'BOXROOM_MEDIA_HTTP_PORT', 0, 0, 65535),
    runDir: env.BOXROOM_RUN_DIR ?? join(tmpdir(), `boxroom-${roomId}-${display}`),
    desktopDir: env.BOXROOM_DESKTOP_DIR || join(tmpdir(), `boxroom-desktop-${roomId}-${display}`),
    desktopUser: desktopUser(env),
    dashboardSilenceMs: int(env, 'BOXROOM_DASHBOARD_SILENCE_S', 0, 0, 7 * 86400) * 1000,
    publicKeyPem: publicKey(env),
    viewerMaxBacklogBytes: int(
      env,
      'BOXROOM_VIEWER_MAX_BACKLOG_BYTES',
      4 * 1024 * 1024,
      1024 * 1024,
      256 * 1024 * 1024,
    ),
    controlIdleMs: int(env, 'BOXROOM_CONTROL_IDLE_S', 300, 0, 86400) * 1000,
    controlGraceMs: int(env, 'BOXROOM_CONTROL_GRACE_MS', 5000, 0, 600000),
    roomMaxAgeMs: int(env, 'BOXROOM_ROOM_MAX_AGE_S', 0, 0, ROOM_TIMEOUT_MAX_S) * 1000,
    roomNoViewersMs: int(env, 'BOXROOM_ROOM_NO_VIEWERS_S', 0, 0, ROOM_TIMEOUT_MAX_S) * 1000,
    roomNoInputMs: int(env, 'BOXROOM_ROOM_NO_INPUT_S', 0, 0, ROOM_TIMEOUT_MAX_S) * 1000,
    roomCreatedAt: int(env, 'BOXROOM_ROOM_CREATED_AT', now, 0, Number.MAX_SAFE_INTEGER),
    controlQueueMax: int(env, 'BOXROOM_CONTROL_QUEUE_MAX', 100, 1, 10_000),
    desktopGiveUpMs: int(env, 'BOXROOM_DESKTOP_GIVE_UP_S', 60, 0, 86400) * 1000,
    logLevel: env.BOXROOM_LOG_LEVEL ?? 'info',
  };
  return Object.freeze(config);
}
