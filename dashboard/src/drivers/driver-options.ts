import type { RoomAgentSettings } from '../config.js';
import type { Logger } from '../logger.js';

/**
 * What every driver factory gets. The docker driver's module (drivers/docker/index.ts) exports
 * `createDockerDriver(opts: DriverOptions): RoomDriver | Promise<RoomDriver>` and
 * `dockerUsable(): Promise<boolean>`.
 */
export interface DriverOptions {
  /** a named logger for the driver */
  readonly log: Logger;
  /** the dashboard's data directory; a driver keeps its own files under join(dataDir, kind) */
  readonly dataDir: string;
  /** the dashboard's Ed25519 public key (SPKI PEM): give it to agents as BOXROOM_PUBLIC_KEY(_FILE) */
  readonly publicKeyPem: string;
  readonly publicKeyFile: string;
  /** what every room's agent gets, whichever driver runs it (drivers/room-agent-env.ts) */
  readonly room: RoomAgentSettings;
  /**
   * the host environment a room process may inherit (PATH, HOME, locale); never a source of
   * settings (config.ts reads those), and its BOXROOM_* never reach a room
   */
  readonly env: Readonly<Record<string, string | undefined>>;
}
