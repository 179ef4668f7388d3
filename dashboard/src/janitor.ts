import { createDockerDriver, dockerOptionsFromEnv, DockerEnvError } from './drivers/docker/index.js';
import { dashboardAnswers, onJanitorStop } from './janitor/room-janitor.js';
import { createRootLogger } from './logger.js';
import type { RoomDriver } from './rooms/room-driver.js';

/**
 * The compose deployment's janitor (compose/compose.yaml): idles until it is stopped, then removes
 * every room of its instance unless the dashboard is still there (see onJanitorStop). Rooms are
 * not compose services, so without it `docker-compose down` would leave them running.
 *   BOXROOM_DOCKER_*          as for the dashboard (the instance decides which rooms are ours)
 *   BOXROOM_PORT              the dashboard's port on this host (default 8080)
 *   BOXROOM_JANITOR_WAIT_S    how long a stopped dashboard may take to answer again (default 5)
 */
const IDLE_TIMER_MS = 2 ** 30;

function seconds(raw: string | undefined, def: number): number {
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || n > 600)
    throw new DockerEnvError(`BOXROOM_JANITOR_WAIT_S must be 0..600, got "${raw}"`);
  return n;
}

function main(): void {
  const env = process.env;
  const log = createRootLogger(env.BOXROOM_LOG_LEVEL || 'info').child({ mod: 'janitor' });
  let waitS: number;
  let driver: RoomDriver;
  try {
    waitS = seconds(env.BOXROOM_JANITOR_WAIT_S, 5);
    // list() and delete() only: no init(), so the janitor neither creates networks nor watches events
    driver = createDockerDriver({ ...dockerOptionsFromEnv(env), publicKeyPem: '', log });
  } catch (err) {
    log.fatal({ err }, 'bad janitor settings');
    return process.exit(2);
  }
  const healthz = `http://127.0.0.1:${env.BOXROOM_PORT || '8080'}/healthz`;
  const idle = setInterval(() => undefined, IDLE_TIMER_MS);
  log.info({ instance: env.BOXROOM_DOCKER_INSTANCE || 'default', healthz }, 'janitor waiting for the stop');

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
