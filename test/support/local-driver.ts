import { pino } from 'pino';
import type { AppDeps } from '../../dashboard/src/app.js';
import { ROOM_AGENT_DEFAULTS } from '../../dashboard/src/config.js';
import { findAgentEntry } from '../../dashboard/src/drivers/local/agent-entry.js';
import { createLocalDriver } from '../../dashboard/src/drivers/local/index.js';
import type { Logger } from '../../dashboard/src/logger.js';
import type { RoomDriver } from '../../dashboard/src/rooms/room-driver.js';
import { loadSecrets, type Secrets } from '../../dashboard/src/secrets/secret-store.js';

/**
 * What a dashboard built in the test's own process runs real rooms with: the data dir's keys (and
 * `adminToken`), a logger (BOXROOM_TEST_LOG, silent by default) and the local driver, initialised,
 * its X displays from `displayBase` (one range per test file: files never share displays).
 */
export async function localDriverIn(
  dataDir: string,
  adminToken: string,
  displayBase: number,
): Promise<{ driver: RoomDriver; secrets: Secrets; log: Logger }> {
  const secrets = await loadSecrets(dataDir, adminToken);
  const log = pino({ level: process.env.BOXROOM_TEST_LOG ?? 'silent' });
  const driver = createLocalDriver(
    {
      log,
      dataDir,
      publicKeyPem: secrets.publicKeyPem,
      publicKeyFile: secrets.publicKeyFile,
      room: ROOM_AGENT_DEFAULTS,
      env: process.env,
    },
    { agentEntry: findAgentEntry(), displayBase },
  );
  await driver.init();
  return { driver, secrets, log };
}

/**
 * What buildApp takes to run real rooms in the test's process with `local` (from localDriverIn):
 * a loopback public URL, 5 rooms at most, 10-minute tokens, and the test's own `config` over that.
 */
export function localAppDeps(
  dataDir: string,
  local: { driver: RoomDriver; secrets: Secrets; log: Logger },
  config: Omit<AppDeps['config'], 'dataDir' | 'publicUrl' | 'maxRooms' | 'tokenTtlS'> = {},
): Pick<AppDeps, 'config' | 'driver' | 'secrets' | 'log'> {
  const { driver, secrets, log } = local;
  return {
    config: { dataDir, publicUrl: 'http://127.0.0.1', maxRooms: 5, tokenTtlS: 600, ...config },
    driver,
    secrets,
    log,
  };
}
