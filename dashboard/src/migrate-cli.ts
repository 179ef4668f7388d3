import { parseArgs } from 'node:util';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, loadDashboardConfig } from './config.js';
import { createRootLogger } from './logger.js';
import { importFileStore } from './store/postgres/import-file-store.js';
import { PostgresStateStore } from './store/postgres/postgres-state-store.js';

/**
 * `npm run migrate`: applies the PostgreSQL store's pending migrations to BOXROOM_DATABASE_URL (the
 * dashboard also does at start; this is for upgrades done ahead of it), and with
 * `--import-from <dataDir>` copies a file store into it (idempotent; the data dir is only read).
 */
const log = createRootLogger(process.env.BOXROOM_LOG_LEVEL || 'info').child({ mod: 'migrate' });
const USAGE = 'usage: npm run migrate [-- --import-from <dataDir>]  (BOXROOM_DATABASE_URL says where)';

async function main(): Promise<number> {
  let importFrom: string | undefined;
  let url: string | null;
  try {
    importFrom = parseArgs({ options: { 'import-from': { type: 'string' } } }).values['import-from'];
    url = loadDashboardConfig(process.env).databaseUrl;
  } catch (err) {
    if (!(err instanceof ConfigError) && !(err instanceof TypeError)) throw err;
    log.error(`${err.message}; ${USAGE}`);
    return 2;
  }
  if (!url) {
    log.error(`BOXROOM_DATABASE_URL is not set; ${USAGE}`);
    return 2;
  }
  const store = new PostgresStateStore(url, log);
  try {
    await store.open(); // applies the migrations
    if (importFrom !== undefined) {
      await importFileStore(isAbsolute(importFrom) ? importFrom : resolve(importFrom), store.db, log);
    }
  } finally {
    await store.close();
  }
  log.info('database up to date');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log.fatal({ err }, 'migrate failed');
    process.exit(1);
  },
);
