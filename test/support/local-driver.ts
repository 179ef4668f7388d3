import { pino } from 'pino';
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
