import type { RoomAgentSettings } from '../../config.js';
import type { RoomSpec } from '../../rooms/room-driver.js';
import { roomAgentEnv, type AgentEnv } from '../room-agent-env.js';

export interface AgentPlacement {
  port: number;
  display: number;
  runDir: string;
  publicKeyFile: string;
  /** the persistent profile's dir (ProfileDirs), the desktop's HOME; absent: a home of the room's own */
  desktopHome?: string;
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
 * The environment of a local room agent: the host's (PATH, HOME, locale) minus every BOXROOM_*
 * (the dashboard's settings, the admin token above all), plus the room's values (the same as on
 * every driver, roomAgentEnv) and where it runs on this host. Pure, so tests can check it.
 */
export function agentEnv(
  base: Readonly<Record<string, string | undefined>>,
  room: RoomAgentSettings,
  spec: RoomSpec,
  at: AgentPlacement,
  policy?: LocalAgentPolicy,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) {
    if (v !== undefined && !k.startsWith('BOXROOM_')) env[k] = v;
  }
  const placement: AgentEnv = {
    BOXROOM_AGENT_HOST: '127.0.0.1',
    BOXROOM_AGENT_PORT: String(at.port),
    BOXROOM_DISPLAY: String(at.display),
    BOXROOM_PUBLIC_KEY_FILE: at.publicKeyFile,
    BOXROOM_RUN_DIR: at.runDir,
    ...(at.desktopHome ? { BOXROOM_DESKTOP_HOME: at.desktopHome } : {}),
    // a host path, so local rooms only: a docker room runs its image's binary
    ...(room.captureBin ? { BOXROOM_CAPTURE_BIN: room.captureBin } : {}),
    ...(policy
      ? {
          BOXROOM_DESKTOP_USER: policy.desktopUser,
          BOXROOM_DASHBOARD_SILENCE_S: String(policy.dashboardSilenceS),
          ...(policy.desktopDir ? { BOXROOM_DESKTOP_DIR: policy.desktopDir } : {}),
        }
      : {}),
  };
  return { ...env, ...roomAgentEnv(spec, room), ...placement };
}
