import type { AgentSettingName } from '@boxroom/contracts/settings';
import type { RoomAgentSettings } from '../config.js';
import { timeoutsOf, type RoomSpec } from '../rooms/room-driver.js';

/** Agent variables by name: only names the agent reads (contracts/src/settings/agent-settings.ts). */
export type AgentEnv = Partial<Record<AgentSettingName, string>>;

/**
 * A room's agent variables that do not depend on where it runs, the same for every driver: the
 * room itself, its lifecycle (the agent runs the clocks; the dashboard's BOXROOM_ROOM_*_S are only
 * defaults, resolved per room before this) and the operator's settings for every room. A driver adds
 * placement only (address, display, key, dirs): room-agent-env.test.ts holds both drivers to it.
 */
export function roomAgentEnv(spec: RoomSpec, room: RoomAgentSettings): AgentEnv {
  const t = timeoutsOf(spec);
  return {
    BOXROOM_ROOM_ID: spec.id,
    BOXROOM_WIDTH: String(spec.width),
    BOXROOM_HEIGHT: String(spec.height),
    BOXROOM_FPS: String(spec.fps),
    BOXROOM_APP: spec.app,
    BOXROOM_ROOM_MAX_AGE_S: String(t.maxAgeS),
    BOXROOM_ROOM_NO_VIEWERS_S: String(t.noViewersS),
    BOXROOM_ROOM_NO_INPUT_S: String(t.noInputS),
    BOXROOM_ROOM_CREATED_AT: String(spec.createdAt),
    BOXROOM_LOG_LEVEL: room.logLevel,
    BOXROOM_CONTROL_IDLE_S: String(room.controlIdleS),
    BOXROOM_CONTROL_GRACE_MS: String(room.controlGraceMs),
    BOXROOM_CONTROL_QUEUE_MAX: String(room.controlQueueMax),
    BOXROOM_VIEWER_MAX_BACKLOG_BYTES: String(room.viewerMaxBacklogBytes),
    BOXROOM_DESKTOP_GIVE_UP_S: String(room.desktopGiveUpS),
    BOXROOM_CAPTURE: room.capture,
    BOXROOM_FILE_MAX_BYTES: String(room.fileMaxBytes),
    BOXROOM_FILES_QUOTA_BYTES: String(room.filesQuotaBytes),
    ...appEnv(spec),
    ...(spec.clipboard
      ? {
          BOXROOM_CLIPBOARD_COPY_OUT: spec.clipboard.copyOut ? 'on' : 'off',
          BOXROOM_CLIPBOARD_PASTE_IN: spec.clipboard.pasteIn ? 'on' : 'off',
        }
      : {}),
  };
}

/**
 * What the app is and how it starts, as the room's template said at create: the argv and the
 * environment as JSON (neither is a secret: both are the operator's template), the browser's page.
 */
function appEnv(spec: RoomSpec): AgentEnv {
  return {
    ...(spec.command ? { BOXROOM_APP_COMMAND: JSON.stringify(spec.command) } : {}),
    ...(spec.env && Object.keys(spec.env).length ? { BOXROOM_APP_ENV: JSON.stringify(spec.env) } : {}),
    ...(spec.startUrl ? { BOXROOM_START_URL: spec.startUrl } : {}),
    ...(spec.browserMode ? { BOXROOM_BROWSER_MODE: spec.browserMode } : {}),
  };
}

/** KEY=value lines, as the engine takes a container's environment. */
export function envLines(env: AgentEnv): string[] {
  return Object.entries(env).map(([k, v]) => `${k}=${v}`);
}
