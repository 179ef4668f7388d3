import type { RoomSpec } from '../../rooms/room-driver.js';
import { roomLifecycleEnv } from '../room-lifecycle-env.js';

/** Agent settings an operator may set once for every local room; other BOXROOM_* stay with the dashboard. */
const PASS_THROUGH = [
  'BOXROOM_LOG_LEVEL',
  'BOXROOM_VIEWER_MAX_BACKLOG_BYTES',
  'BOXROOM_CONTROL_IDLE_S',
  'BOXROOM_CONTROL_GRACE_MS',
  'BOXROOM_CAPTURE',
  'BOXROOM_CAPTURE_BIN',
];

export interface AgentPlacement {
  port: number;
  display: number;
  runDir: string;
  publicKeyFile: string;
}

/** How local rooms are kept apart from the dashboard (docs/security.md, "The local driver"). */
export interface LocalAgentPolicy {
  /** BOXROOM_DESKTOP_USER: the user the desktop runs as when the agent runs as root */
  desktopUser: string;
  /** BOXROOM_DASHBOARD_SILENCE_S: the agent stops after this long without a dashboard call (0: never) */
  dashboardSilenceS: number;
  /** BOXROOM_DESKTOP_DIR: the desktop's own dir, outside the (private) data dir */
  desktopDir?: string;
}

/**
 * The environment of a room agent: the host's (PATH, HOME, locale) minus every dashboard setting
 * (the admin token above all), plus the room's own BOXROOM_* values. Pure, so tests can check it.
 */
export function agentEnv(
  base: Readonly<Record<string, string | undefined>>,
  spec: RoomSpec,
  at: AgentPlacement,
  policy?: LocalAgentPolicy,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) {
    if (v === undefined) continue;
    if (k.startsWith('BOXROOM_') && !PASS_THROUGH.includes(k)) continue;
    env[k] = v;
  }
  return {
    ...env,
    BOXROOM_ROOM_ID: spec.id,
    BOXROOM_AGENT_HOST: '127.0.0.1',
    BOXROOM_AGENT_PORT: String(at.port),
    BOXROOM_DISPLAY: String(at.display),
    BOXROOM_WIDTH: String(spec.width),
    BOXROOM_HEIGHT: String(spec.height),
    BOXROOM_FPS: String(spec.fps),
    BOXROOM_APP: spec.app,
    BOXROOM_PUBLIC_KEY_FILE: at.publicKeyFile,
    BOXROOM_RUN_DIR: at.runDir,
    ...(policy
      ? {
          BOXROOM_DESKTOP_USER: policy.desktopUser,
          BOXROOM_DASHBOARD_SILENCE_S: String(policy.dashboardSilenceS),
          ...(policy.desktopDir ? { BOXROOM_DESKTOP_DIR: policy.desktopDir } : {}),
        }
      : {}),
    ...Object.fromEntries(roomLifecycleEnv(spec).map((kv) => kv.split(/=(.*)/s, 2) as [string, string])),
  };
}
