import { readFileSync } from 'node:fs';
import { reportCrashesWithMappedStacks } from '@boxroom/contracts/stack-map';
import { API_VERSION, buildApp } from './app.js';
import { ConfigError, loadDashboardConfig } from './config.js';
import {
  canCreateUsers,
  listenHost,
  localIsolation,
  type LocalIsolation,
} from './drivers/local/isolation.js';
import { selectDriver } from './drivers/select-driver.js';
import { createRootLogger } from './logger.js';
import { secureDataDir } from './secrets/data-dir-modes.js';
import { loadSecrets } from './secrets/secret-store.js';
import { readTemplatesFile, TemplateFileError } from './templates/template-file.js';

/** Composition root: start in order, stop in reverse, log each failure and go on. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadDashboardConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      createRootLogger().fatal(err.message);
      process.exit(2);
    }
    throw err;
  }
  const log = createRootLogger(config.logLevel);
  let templates;
  try {
    templates = config.templatesFile ? readTemplatesFile(config.templatesFile) : [];
  } catch (err) {
    if (err instanceof TemplateFileError) {
      // the message names the file, the template and the field
      log.fatal(err.message);
      process.exit(2);
    }
    throw err;
  }
  await secureDataDir(config.dataDir, log.child({ mod: 'data-dir' }));
  const secrets = await loadSecrets(config.dataDir, config.adminToken);
  if (secrets.adminTokenGenerated) {
    // The one console line: the operator must see it once, and it must not sit in log files.
    // eslint-disable-next-line no-console
    console.log(`\nboxroom admin token (kept in ${config.dataDir}/admin-token): ${secrets.adminToken}\n`);
  }

  const driver = await selectDriver({
    choice: config.driver,
    opts: {
      log: log.child({ mod: 'driver' }),
      dataDir: config.dataDir,
      publicKeyPem: secrets.publicKeyPem,
      publicKeyFile: secrets.publicKeyFile,
      room: config.rooms,
      // passed down to local room processes (PATH, HOME, locale), BOXROOM_* taken out
      env: process.env,
    },
    local: {
      agentEntry: config.agentEntry,
      displayBase: config.localDisplayBase,
      ...(config.localProfilesDir ? { profilesDir: config.localProfilesDir } : {}),
      desktopUser: config.desktopUser,
      orphanS: config.localRoomOrphanS,
    },
    docker: config.docker,
    swarm: config.swarm,
  });
  let isolation: LocalIsolation | null = null;
  if (driver.kind === 'local') {
    isolation = localIsolation(config.desktopUser);
    if (isolation.isolation === 'none') {
      log.warn(
        { isolation: 'none', reason: isolation.reason },
        `local rooms are NOT separated from the dashboard: ${isolation.reason}. Whoever controls a room ` +
          `can read ${config.dataDir} (the signing key, the admin token) and act as the dashboard. Run ` +
          `\`sudo bash scripts/setup.sh\` once and start the dashboard as root to run desktops as ` +
          `${config.desktopUser}, or use the docker driver.`,
      );
    } else {
      const perRoom = canCreateUsers();
      log.info(
        { isolation: 'desktop-user', fallbackUser: config.desktopUser },
        perRoom
          ? 'local room desktops run as users of their own, one per room'
          : `local room desktops run as ${config.desktopUser}, separated from the dashboard but not from each other`,
      );
    }
  }
  await driver.init();
  let tls: { cert: Buffer; key: Buffer } | undefined;
  if (config.tls) {
    try {
      tls = { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) };
    } catch (err) {
      log.fatal({ err }, 'cannot read BOXROOM_TLS_CERT / BOXROOM_TLS_KEY');
      process.exit(2);
    }
  }
  const app = await buildApp({ config, log, driver, secrets, templates, ...(tls ? { tls } : {}) });
  const listen = listenHost(config, driver.kind, isolation);
  if (listen.narrowed) {
    log.warn(
      { host: listen.host },
      'listening on 127.0.0.1 only, since rooms are not separated from the dashboard; set BOXROOM_HOST to choose the address yourself',
    );
  }
  await app.listen({ port: config.port, host: listen.host });
  log.info(
    {
      version: API_VERSION,
      driver: driver.kind,
      host: listen.host,
      url: config.publicUrl,
      tls: config.tls !== null,
      trustedProxies: config.trustedProxies,
      dataDir: config.dataDir,
    },
    'dashboard listening',
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping (rooms keep running)');
    await app.close().catch((err: unknown) => log.error({ err }, 'closing the HTTP server failed'));
    await driver.close().catch((err: unknown) => log.error({ err }, 'closing the driver failed'));
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

reportCrashesWithMappedStacks('dashboard');
main().catch((err: unknown) => {
  createRootLogger().fatal({ err }, 'dashboard failed to start');
  process.exit(1);
});
