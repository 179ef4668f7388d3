import type { DashboardConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { FileStateStore } from './file-state-store.js';
import { PostgresStateStore } from './postgres/postgres-state-store.js';
import type { StateStore } from './state-store.js';

/** PostgreSQL when BOXROOM_DATABASE_URL is set (replicated dashboards), else files in the data dir. */
export function createStateStore(
  config: Pick<DashboardConfig, 'databaseUrl' | 'dataDir'>,
  log: Logger,
): StateStore {
  const storeLog = log.child({ mod: 'state-store' });
  return config.databaseUrl
    ? new PostgresStateStore(config.databaseUrl, storeLog)
    : new FileStateStore(config.dataDir, storeLog);
}
