import { accessSync, constants, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOM_LIMITS, type ClipboardPolicy } from '@boxroom/contracts';
import {
  AGENT_SETTINGS,
  ConfigError,
  parseAppCommand,
  parseAppEnv,
  readSettings,
  type Env,
} from '@boxroom/contracts/settings';

export { ConfigError };

export type RoomApp = (typeof AGENT_SETTINGS.BOXROOM_APP.values)[number];
export type BrowserMode = (typeof AGENT_SETTINGS.BOXROOM_BROWSER_MODE.values)[number];
/** damage: boxroom-capture captures and encodes only what changed; x11grab: ffmpeg grabs every frame itself */
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
  /** `command` rooms: the app's argv (looked up on PATH), from the room's template; null otherwise */
  readonly appCommand: readonly string[] | null;
  /** more environment of the app (only the app: the window manager does not get it) */
  readonly appEnv: Readonly<Record<string, string>>;
  /** browser rooms: the page opened first (null: a blank page) and kiosk or a window */
  readonly startUrl: string | null;
  readonly browserMode: BrowserMode;
  readonly capture: CaptureMode;
  /** the boxroom-capture binary (used in damage mode) */
  readonly captureBin: string;
  /** BOXROOM_CAPTURE was auto and no boxroom-capture was found: x11grab, which costs more */
  readonly captureFellBack: boolean;
  /** the boxroom-clipboard binary, or null when it was not built: the room then has no clipboard */
  readonly clipboardBin: string | null;
  /** the room's create-time clipboard policy; PATCH /api/rooms/:id changes it while the room runs */
  readonly clipboard: ClipboardPolicy;
  /**
   * boxroom-screen, which resizes the running screen (next to boxroom-capture); null when it was not
   * built: Xvfb then starts at the room's size and a resize is refused (409).
   */
  readonly screenBin: string | null;
  /** the largest size the room may be resized to: Xvfb's screen is allocated at this size */
  readonly maxWidth: number;
  readonly maxHeight: number;
  /**
   * node-media-server's HTTP-FLV port on 127.0.0.1 (signed plays: diagnostics and tests); null for
   * none (BOXROOM_MEDIA_HTTP_PORT=0, the default). There is no RTMP port: ffmpeg publishes through
   * its stdout.
   */
  readonly mediaHttpPort: number | null;
  /** the agent's private dir (0700): X cookie, x11vnc's socket, PulseAudio's state, media store */
  readonly runDir: string;
  /**
   * The desktop's own dir, outside runDir: its home, its copy of the X cookie, the PulseAudio socket
   * it may use. Its parents must be searchable by the desktop user (the default is under the tmpdir).
   */
  readonly desktopDir: string;
  /**
   * The desktop's HOME when it is a persistent profile (kept across rooms: never emptied); null:
   * `<desktopDir>/home`, made at start and emptied at the end.
   */
  readonly desktopHome?: string | null;
  /** the room's files folder: the desktop user's; the agent reads and writes it as that user */
  readonly filesDir: string;
  /** an upload larger than this is refused */
  readonly fileMaxBytes: number;
  /** the files folder holds at most this much: an upload that would pass it is refused */
  readonly filesQuotaBytes: number;
  /** the user the desktop runs as when the agent is root (see desktop/desktop-user.ts) */
  readonly desktopUser: string;
  /** the agent stops itself after this long without a request authenticated by a dashboard token; 0: never */
  readonly dashboardSilenceMs: number;
  /** PEM of the dashboard's public key (Ed25519); tokens are verified with it */
  readonly publicKeyPem: string;
  /** a viewer whose unsent bytes exceed this is dropped (close 4408) instead of buffered */
  readonly viewerMaxBacklogBytes: number;
  readonly controlIdleMs: number;
  /** damage capture: the sound encoder sleeps after this long without a viewer; 0: never */
  readonly soundIdleMs: number;
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

/** Where boxroom-capture (and boxroom-clipboard beside it) is looked for, and how: injectable so tests need no binary. */
export interface CaptureLookup {
  defaultBin: string;
  executable(path: string): boolean;
}

/** boxroom-capture next to the agent's bundle (room-agent/dist/, or /opt/boxroom/ in the image). */
export const defaultCaptureLookup = (): CaptureLookup => ({
  defaultBin: join(bundleDir(), 'boxroom-capture'),
  executable: (path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
});

const bundleDir = (): string => dirname(fileURLToPath(import.meta.url));

type Values = ReturnType<typeof readAgentSettings>;
const readAgentSettings = (env: Env) => readSettings(AGENT_SETTINGS, env, 'room-agent');

function publicKey(v: Values): string {
  const pem = v.BOXROOM_PUBLIC_KEY;
  if (pem) return pem.replace(/\\n/g, '\n');
  const file = v.BOXROOM_PUBLIC_KEY_FILE;
  if (file) return readFileSync(file, 'utf8');
  throw new ConfigError(
    'BOXROOM_PUBLIC_KEY or BOXROOM_PUBLIC_KEY_FILE is required (PEM of the dashboard public key)',
  );
}

/**
 * BOXROOM_CAPTURE: `auto` (the default: damage when the boxroom-capture binary is there, x11grab on a
 * host that had no C compiler or X headers at setup), `damage` or `x11grab`. Damage capture encodes
 * only what changes: measured in Chromium (`npm run bench -- --quick --only g2g720,idle`), the idle room
 * fell from 26.7 to ~6 % of a core and glass-to-glass p50 from ~95 to ~55-65 ms, once the player moved
 * frames that follow a gap back to its playhead (web/src/mpegts/low-latency-remux.ts).
 */
function captureMode(
  v: Values,
  lookup: CaptureLookup,
): Pick<AgentConfig, 'capture' | 'captureBin' | 'captureFellBack'> {
  const captureBin = v.BOXROOM_CAPTURE_BIN ?? lookup.defaultBin;
  const mode = v.BOXROOM_CAPTURE;
  if (mode === 'x11grab') return { capture: 'x11grab', captureBin, captureFellBack: false };
  const found = lookup.executable(captureBin);
  if (mode === 'damage' && !found)
    throw new ConfigError(
      `BOXROOM_CAPTURE=damage but ${captureBin} is not an executable (see scripts/build.mjs)`,
    );
  return { capture: found ? 'damage' : 'x11grab', captureBin, captureFellBack: !found };
}

/**
 * BOXROOM_CLIPBOARD_BIN or boxroom-clipboard beside boxroom-capture; null when it is not there
 * (scripts/build.mjs compiles both, or neither, with the host's C compiler).
 */
function clipboardBin(v: Values, lookup: CaptureLookup): string | null {
  const bin = v.BOXROOM_CLIPBOARD_BIN ?? join(dirname(lookup.defaultBin), 'boxroom-clipboard');
  if (lookup.executable(bin)) return bin;
  if (v.BOXROOM_CLIPBOARD_BIN !== null)
    throw new ConfigError(`BOXROOM_CLIPBOARD_BIN=${bin} is not an executable (see scripts/build.mjs)`);
  return null;
}

/**
 * Xvfb's framebuffer is allocated once, at start: with boxroom-screen it is the largest room size
 * (ROOM_LIMITS; measured: 3840x2160 costs Xvfb about 29 MB more resident than 1280x720) and the screen
 * is set to the room's size inside it, so a resize needs no restart. Without it, the room's size.
 */
function screenSizes(
  width: number,
  height: number,
  lookup: CaptureLookup,
): Pick<AgentConfig, 'screenBin' | 'maxWidth' | 'maxHeight'> {
  const bin = join(dirname(lookup.defaultBin), 'boxroom-screen');
  if (!lookup.executable(bin)) return { screenBin: null, maxWidth: width, maxHeight: height };
  return { screenBin: bin, maxWidth: ROOM_LIMITS.width.maximum, maxHeight: ROOM_LIMITS.height.maximum };
}

/** What the room's app is: BOXROOM_APP and, as its template gave them, its argv, environment and page. */
function appOf(v: Values): Pick<AgentConfig, 'app' | 'appCommand' | 'appEnv' | 'startUrl' | 'browserMode'> {
  const command = v.BOXROOM_APP_COMMAND;
  if (v.BOXROOM_APP === 'command' && command === null)
    throw new ConfigError('BOXROOM_APP=command needs BOXROOM_APP_COMMAND (the argv as JSON)');
  return {
    app: v.BOXROOM_APP,
    appCommand:
      v.BOXROOM_APP === 'command' && command !== null ? Object.freeze(parseAppCommand(command)) : null,
    appEnv: Object.freeze(v.BOXROOM_APP_ENV === null ? {} : parseAppEnv(v.BOXROOM_APP_ENV)),
    startUrl: v.BOXROOM_START_URL,
    browserMode: v.BOXROOM_BROWSER_MODE,
  };
}

/** The agent's one reader of its environment (the table: settings/agent-settings.ts). */
export function loadAgentConfig(
  env: Env = process.env,
  now: number = Date.now(),
  lookup: CaptureLookup = defaultCaptureLookup(),
): AgentConfig {
  const v = readAgentSettings(env);
  const roomId = v.BOXROOM_ROOM_ID;
  const display = v.BOXROOM_DISPLAY;
  const width = v.BOXROOM_WIDTH;
  const height = v.BOXROOM_HEIGHT;
  if (width % 2 || height % 2)
    throw new ConfigError('BOXROOM_WIDTH and BOXROOM_HEIGHT must be even (H.264 4:2:0)');
  const desktopDir = v.BOXROOM_DESKTOP_DIR ?? join(tmpdir(), `boxroom-desktop-${roomId}-${display}`);
  const config: AgentConfig = {
    roomId,
    host: v.BOXROOM_AGENT_HOST,
    port: v.BOXROOM_AGENT_PORT,
    display,
    width,
    height,
    fps: v.BOXROOM_FPS,
    ...appOf(v),
    ...captureMode(v, lookup),
    clipboardBin: clipboardBin(v, lookup),
    clipboard: {
      copyOut: v.BOXROOM_CLIPBOARD_COPY_OUT === 'on',
      pasteIn: v.BOXROOM_CLIPBOARD_PASTE_IN === 'on',
    },
    ...screenSizes(width, height, lookup),
    // 0: NMS's core alone, no listener (media-server.ts)
    mediaHttpPort: v.BOXROOM_MEDIA_HTTP_PORT === 0 ? null : v.BOXROOM_MEDIA_HTTP_PORT,
    runDir: v.BOXROOM_RUN_DIR ?? join(tmpdir(), `boxroom-${roomId}-${display}`),
    desktopDir,
    desktopHome: v.BOXROOM_DESKTOP_HOME ?? null,
    filesDir: v.BOXROOM_FILES_DIR ?? join(desktopDir, 'files'),
    fileMaxBytes: v.BOXROOM_FILE_MAX_BYTES,
    filesQuotaBytes: v.BOXROOM_FILES_QUOTA_BYTES,
    desktopUser: v.BOXROOM_DESKTOP_USER,
    dashboardSilenceMs: v.BOXROOM_DASHBOARD_SILENCE_S * 1000,
    publicKeyPem: publicKey(v),
    viewerMaxBacklogBytes: v.BOXROOM_VIEWER_MAX_BACKLOG_BYTES,
    controlIdleMs: v.BOXROOM_CONTROL_IDLE_S * 1000,
    soundIdleMs: v.BOXROOM_SOUND_IDLE_MS,
    controlGraceMs: v.BOXROOM_CONTROL_GRACE_MS,
    roomMaxAgeMs: v.BOXROOM_ROOM_MAX_AGE_S * 1000,
    roomNoViewersMs: v.BOXROOM_ROOM_NO_VIEWERS_S * 1000,
    roomNoInputMs: v.BOXROOM_ROOM_NO_INPUT_S * 1000,
    // 0 (unset): the room is as old as this agent
    roomCreatedAt: v.BOXROOM_ROOM_CREATED_AT || now,
    controlQueueMax: v.BOXROOM_CONTROL_QUEUE_MAX,
    desktopGiveUpMs: v.BOXROOM_DESKTOP_GIVE_UP_S * 1000,
    logLevel: v.BOXROOM_LOG_LEVEL,
  };
  return Object.freeze(config);
}
