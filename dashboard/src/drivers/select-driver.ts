import type { DockerConfig, DriverChoice, SwarmConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { RoomDriver } from '../rooms/room-driver.js';
import type { DriverOptions } from './driver-options.js';
import { createLocalDriver, type LocalDriverSettings } from './local/index.js';
import { createSwarmDriver, swarmOptionsFromConfig } from './swarm/index.js';

/**
 * The contract of drivers/docker/index.ts (written by the docker driver's author). createDockerDriver
 * gets DriverOptions (log, dataDir, publicKeyPem, publicKeyFile, room, env) merged over whatever
 * dockerOptionsFromConfig(docker settings) returns, when the module has it.
 */
export interface DockerDriverModule {
  createDockerDriver(opts: DriverOptions & Record<string, unknown>): RoomDriver | Promise<RoomDriver>;
  /** true when an engine answers and the room image is present */
  dockerUsable(opts?: Record<string, unknown>): Promise<boolean>;
  dockerOptionsFromConfig?(config: DockerConfig): Record<string, unknown>;
}

function isDockerModule(m: unknown): m is DockerDriverModule {
  const mod = m as Partial<DockerDriverModule> | null;
  return typeof mod?.createDockerDriver === 'function' && typeof mod.dockerUsable === 'function';
}

/**
 * Loaded lazily so the dashboard builds and runs before (or without) the docker driver. The
 * template literal keeps TypeScript from requiring the file and lets esbuild bundle whatever
 * drivers/<kind>/index.ts exist at build time.
 */
export async function loadDockerModule(log: Logger): Promise<DockerDriverModule | null> {
  const kind = 'docker';
  try {
    const mod: unknown = await import(`./${kind}/index.ts`);
    if (isDockerModule(mod)) return mod;
    log.warn('drivers/docker/index.ts does not export createDockerDriver and dockerUsable');
  } catch (err) {
    log.debug({ err: (err as Error).message }, 'no docker driver module');
  }
  return null;
}

export interface SelectDriverInput {
  choice: DriverChoice;
  opts: DriverOptions;
  local: LocalDriverSettings;
  /** the docker driver's settings (config.docker) */
  docker: DockerConfig;
  /** the swarm driver's own settings (config.swarm); absent: its defaults */
  swarm?: SwarmConfig;
  /** injectable for tests */
  loadDocker?: (log: Logger) => Promise<DockerDriverModule | null>;
}

const SWARM_DEFAULTS: SwarmConfig = {
  network: 'boxroom-rooms',
  egress: 'none',
  constraints: [],
  maxRoomsPerNode: 0,
  reserveCpus: 0,
  reserveMemoryMb: 0,
};

/**
 * BOXROOM_DRIVER=local|docker|swarm forces a driver (docker fails loudly when unusable, swarm at
 * init when the engine is no swarm manager); unset or auto takes docker when its module exists and
 * dockerUsable() says yes, local otherwise. Auto never takes swarm: rooms as services of a cluster
 * are a deployment's decision.
 */
export async function selectDriver(input: SelectDriverInput): Promise<RoomDriver> {
  const { choice, opts } = input;
  const log = opts.log;
  if (choice === 'swarm') {
    log.info('driver: swarm');
    return createSwarmDriver({
      ...swarmOptionsFromConfig(input.docker, input.swarm ?? SWARM_DEFAULTS),
      ...opts,
      log: opts.log.child({ driver: 'swarm' }),
    });
  }
  if (choice !== 'local') {
    const docker = await (input.loadDocker ?? loadDockerModule)(log);
    // Bad BOXROOM_DOCKER_* settings are a configuration error: fail the start, whatever the choice.
    const fromConfig = docker?.dockerOptionsFromConfig?.(input.docker) ?? {};
    const usable = docker ? await docker.dockerUsable(fromConfig).catch(() => false) : false;
    if (docker && usable) {
      log.info('driver: docker');
      return docker.createDockerDriver({ ...fromConfig, ...opts, log: opts.log.child({ driver: 'docker' }) });
    }
    if (choice === 'docker') {
      throw new Error(
        docker
          ? 'BOXROOM_DRIVER=docker but Docker is not usable (no engine, or the room image is missing)'
          : 'BOXROOM_DRIVER=docker but this build has no docker driver',
      );
    }
    log.info(
      docker ? 'driver: local (docker is not usable here)' : 'driver: local (no docker driver in this build)',
    );
  }
  return createLocalDriver({ ...opts, log: opts.log.child({ driver: 'local' }) }, input.local);
}
