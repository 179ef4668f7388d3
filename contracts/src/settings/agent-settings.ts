import { BROWSER_MODES, ROOM_APPS, ROOM_DEFAULTS, ROOM_LIMITS, ROOM_TIMEOUT_MAX_S } from '../index.js';
import { appCommandProblem, appEnvProblem } from './app-json.js';
import { defineSettings } from './define-settings.js';

export const ROOM_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
const DEFAULT_DESKTOP_USER = 'boxroom-desktop';
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const MIB = 1024 * 1024;
const agent = ['room-agent'] as const;

/** A room lifecycle timeout: the dashboard resolves each room's value, so the agent's default is off. */
const timeout = (doc: string) =>
  ({
    type: 'int',
    default: 0,
    min: 0,
    max: ROOM_TIMEOUT_MAX_S,
    docDefault: '`0` (off)',
    processes: agent,
    doc,
  }) as const;

/**
 * Every variable a room agent reads (room-agent/src/config.ts is their one reader). The dashboard
 * builds a room's values from these names for every driver (dashboard/src/drivers/room-agent-env.ts);
 * README.md's "Room agent" table is rendered from this table.
 */
export const AGENT_SETTINGS = defineSettings(['room-agent'], {
  BOXROOM_ROOM_ID: {
    type: 'string',
    default: 'room',
    pattern: { re: ROOM_ID_PATTERN, like: `like ${ROOM_ID_PATTERN}` },
    processes: agent,
    doc: "the room's id; tokens for other rooms are refused",
  },
  BOXROOM_AGENT_HOST: {
    type: 'string',
    default: '127.0.0.1',
    processes: agent,
    doc: "address of the agent's one HTTP/WebSocket port (0.0.0.0 in a container)",
  },
  BOXROOM_AGENT_PORT: {
    type: 'int',
    default: 9000,
    min: 0,
    max: 65535,
    processes: agent,
    doc: "the agent's one HTTP/WebSocket port",
  },
  BOXROOM_DISPLAY: {
    type: 'int',
    default: 99,
    min: 1,
    max: 65535 - 6000,
    processes: agent,
    doc: 'X display number',
  },
  BOXROOM_WIDTH: {
    type: 'int',
    default: ROOM_DEFAULTS.width,
    min: ROOM_LIMITS.width.minimum,
    max: ROOM_LIMITS.width.maximum,
    processes: agent,
    doc: 'screen width (even)',
  },
  BOXROOM_HEIGHT: {
    type: 'int',
    default: ROOM_DEFAULTS.height,
    min: ROOM_LIMITS.height.minimum,
    max: ROOM_LIMITS.height.maximum,
    processes: agent,
    doc: 'screen height (even)',
  },
  BOXROOM_FPS: {
    type: 'int',
    default: ROOM_DEFAULTS.fps,
    min: ROOM_LIMITS.fps.minimum,
    max: ROOM_LIMITS.fps.maximum,
    processes: agent,
    doc: 'frame rate',
  },
  BOXROOM_APP: {
    type: 'enum',
    values: ROOM_APPS,
    default: ROOM_DEFAULTS.app,
    processes: agent,
    doc: '`terminal` (xterm), `browser` (Chromium), `desktop` (panel and file manager), `command` (BOXROOM_APP_COMMAND)',
  },
  BOXROOM_APP_COMMAND: {
    type: 'string',
    default: null,
    processes: agent,
    check: appCommandProblem,
    doc: 'the app\'s argv as JSON (`["xclock","-digital"]`), looked up on PATH; `command` rooms only (the room\'s template)',
  },
  BOXROOM_APP_ENV: {
    type: 'string',
    default: null,
    processes: agent,
    check: appEnvProblem,
    doc: "more environment of the app as a JSON object of strings (the room's template; not `BOXROOM_*`, `PATH`, `HOME`, ...)",
  },
  BOXROOM_START_URL: {
    type: 'string',
    default: null,
    docDefault: '`about:blank`',
    processes: agent,
    pattern: { re: /^https?:\/\/\S+$/, like: 'an http(s) URL' },
    doc: 'browser rooms: the page Chromium opens first',
  },
  BOXROOM_BROWSER_MODE: {
    type: 'enum',
    values: BROWSER_MODES,
    default: 'normal',
    processes: agent,
    doc: 'browser rooms: `kiosk` (full screen, no address bar) or `normal` (a window)',
  },
  BOXROOM_CAPTURE: {
    type: 'enum',
    values: ['auto', 'damage', 'x11grab'],
    default: 'auto',
    processes: agent,
    doc: '`damage` (frames on change), `x11grab`, `auto`: damage if built',
  },
  BOXROOM_CAPTURE_BIN: {
    type: 'string',
    default: null,
    docDefault: "next to the agent's bundle",
    processes: agent,
    doc: 'the boxroom-capture binary',
  },
  BOXROOM_SOUND_IDLE_MS: {
    type: 'int',
    default: 5000,
    min: 0,
    max: 3_600_000,
    processes: agent,
    doc: 'damage capture: the sound encoder sleeps after this long with nobody watching (0: never), and wakes with the first viewer',
  },
  BOXROOM_CLIPBOARD_BIN: {
    type: 'string',
    default: null,
    docDefault: "next to the agent's bundle",
    processes: agent,
    doc: 'the boxroom-clipboard binary (without it the room has no clipboard)',
  },
  BOXROOM_CLIPBOARD_COPY_OUT: {
    type: 'enum',
    values: ['on', 'off'],
    default: 'on',
    processes: agent,
    doc: "the room's clipboard reaches the controller (the room's create-time setting)",
  },
  BOXROOM_CLIPBOARD_PASTE_IN: {
    type: 'enum',
    values: ['on', 'off'],
    default: 'on',
    processes: agent,
    doc: "the controller's paste reaches the room (the room's create-time setting)",
  },
  BOXROOM_PUBLIC_KEY: {
    type: 'string',
    default: null,
    docDefault: '(this or the file)',
    processes: agent,
    doc: "PEM of the dashboard's Ed25519 public key (`\\n` may stand for newlines)",
  },
  BOXROOM_PUBLIC_KEY_FILE: {
    type: 'string',
    default: null,
    docDefault: '(this or the PEM)',
    processes: agent,
    doc: 'a file holding that PEM; one of the two is required',
  },
  BOXROOM_RUN_DIR: {
    type: 'string',
    default: null,
    docDefault: '`/tmp/boxroom-<room>-<display>`',
    processes: agent,
    doc: "the agent's private dir (0700): X cookie, x11vnc's socket, media store",
  },
  BOXROOM_DESKTOP_USER: {
    type: 'string',
    default: DEFAULT_DESKTOP_USER,
    pattern: { re: /^[a-z_][a-z0-9_.-]{0,31}$/i, like: 'a user name' },
    processes: agent,
    doc: 'the user the desktop runs as when the agent is root (see below)',
  },
  BOXROOM_DESKTOP_DIR: {
    type: 'string',
    default: null,
    docDefault: '`/tmp/boxroom-desktop-<room>-<display>`',
    processes: agent,
    doc: "the desktop's home, its cookie copy, the PulseAudio socket; outside the run dir",
  },
  BOXROOM_DESKTOP_HOME: {
    type: 'string',
    default: null,
    docDefault: '`<BOXROOM_DESKTOP_DIR>/home`, emptied at start and end',
    processes: agent,
    doc: "a persistent profile (the dashboard sets it): the desktop's HOME, kept across rooms; handed to the desktop user (0700) and never emptied, a desktop reset included",
  },
  BOXROOM_FILES_DIR: {
    type: 'string',
    default: null,
    docDefault: '`<BOXROOM_DESKTOP_DIR>/files`',
    processes: agent,
    doc: "the room's files folder (uploads, downloads); the desktop user's",
  },
  BOXROOM_FILE_MAX_BYTES: {
    type: 'int',
    default: 100 * MIB,
    min: 1,
    max: 64 * 1024 * MIB,
    docDefault: '100 MiB',
    processes: agent,
    doc: 'an upload larger than this is refused (413)',
  },
  BOXROOM_FILES_QUOTA_BYTES: {
    type: 'int',
    default: 256 * MIB,
    min: 1,
    max: 1024 * 1024 * MIB,
    docDefault: '256 MiB',
    processes: agent,
    doc: 'the files folder holds at most this much: uploads past it are refused (413)',
  },
  BOXROOM_DASHBOARD_SILENCE_S: {
    type: 'int',
    default: 0,
    min: 0,
    max: 7 * 86400,
    docDefault: '`0` (off)',
    processes: agent,
    doc: 'the agent stops itself (exit 0) after this long without a call from a dashboard',
  },
  BOXROOM_MEDIA_HTTP_PORT: {
    type: 'int',
    default: 0,
    min: 0,
    max: 65535,
    docDefault: '`0` (none)',
    processes: agent,
    doc: "NMS's HTTP-FLV listener on 127.0.0.1 for signed plays, diagnostics only: its port, or `0` for none (the room's viewers use the agent's stream)",
  },
  BOXROOM_VIEWER_MAX_BACKLOG_BYTES: {
    type: 'int',
    default: 4 * MIB,
    min: MIB,
    max: 256 * MIB,
    docDefault: '4 MiB',
    processes: agent,
    doc: 'a viewer with more unsent video than this is dropped (close 4408); 1 to 256 MiB',
  },
  BOXROOM_CONTROL_IDLE_S: {
    type: 'int',
    default: 300,
    min: 0,
    max: 86400,
    processes: agent,
    doc: 'control is released after this long without input (0: never)',
  },
  BOXROOM_CONTROL_GRACE_MS: {
    type: 'int',
    default: 5000,
    min: 0,
    max: 600_000,
    processes: agent,
    doc: 'a disconnected controller keeps control this long',
  },
  BOXROOM_CONTROL_QUEUE_MAX: {
    type: 'int',
    default: 100,
    min: 1,
    max: 10_000,
    processes: agent,
    doc: 'people waiting for control at most; a request beyond answers 409',
  },
  BOXROOM_ROOM_MAX_AGE_S: timeout('the room expires this long after it was created'),
  BOXROOM_ROOM_NO_VIEWERS_S: timeout('the room expires after nobody watched it for this long'),
  BOXROOM_ROOM_NO_INPUT_S: timeout('the room expires after nobody sent input for this long'),
  BOXROOM_ROOM_CREATED_AT: {
    type: 'int',
    default: 0,
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    docDefault: "the agent's start",
    processes: agent,
    doc: 'ms since epoch; the max age counts from it',
  },
  BOXROOM_DESKTOP_GIVE_UP_S: {
    type: 'int',
    default: 60,
    min: 0,
    max: 86400,
    processes: agent,
    doc: 'desktop not all ready this long: close 4504, exit 3 (0: never)',
  },
  BOXROOM_LOG_LEVEL: {
    type: 'enum',
    values: LOG_LEVELS,
    default: 'info',
    processes: agent,
    doc: 'pino level',
  },
});

export type AgentSettingName = keyof typeof AGENT_SETTINGS;
