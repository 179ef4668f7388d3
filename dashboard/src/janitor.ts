import { ConfigError, loadJanitorConfig, type JanitorConfig } from './config.js';
import { createDockerDriver, dockerOptionsFromConfig } from './drivers/docker/index.js';
import { dashboardAnswers, onJanitorStop } from './janitor/room-janitor.js';
import { createRootLogger } from './logger.js';
import type { RoomDriver } from './rooms/room-driver.js';

/**
 * The compose deployment's janitor (compose/compose.yaml): idles until it is stopped, then removes
 * every room of its instance unless the dashboard is still there (see onJanitorStop). Rooms are
 * not compose services, so without it `docker-compose down` would leave them running.
 * Its settings (the instance, which decides which rooms are ours; the dashboard's port; how long
 * to wait for it) are read by config.ts's loadJanitorConfig.
 */
const IDLE_TIMER_MS = 2 ** 30;

function main(): void {
  let config: JanitorConfig;
  try {
    config = loadJanitorConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    createRootLogger().child({ mod: 'janitor' }).fatal(err.message);
    return process.exit(2);
  }
  const log = createRootLogger(config.logLevel).child({ mod: 'janitor' });
  let driver: RoomDriver;
  try {
    // list() and delete() only: no init(), so the janitor neither creates networks nor watches events
    driver = createDockerDriver({ ...dockerOptionsFromConfig(config.docker), publicKeyPem: '', log });
  } catch (err) {
    log.fatal({ err }, 'bad janitor settings');
    return process.exit(2);
  }
  const waitS = config.waitS;
  const healthz = `http://127.0.0.1:${config.dashboardPort}/healthz`;
  const idle = setInterval(() => undefined, IDLE_TIMER_MS);
  log.info({ instance: config.docker.instance, healthz }, 'janitor waiting for the stop');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'janitor stopping');
    const outcome = await onJanitorStop({
      driver,
      dashboardUp: () => dashboardAnswers(healthz),
      log,
      waitForDashboardMs: waitS * 1000,
    }).catch((err: unknown) => {
      log.error({ err }, 'janitor sweep failed');
      return null;
    });
    clearInterval(idle);
    process.exit(outcome && !(outcome.kind === 'removed' && outcome.failed > 0) ? 0 : 1);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main();
