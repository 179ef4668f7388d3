import type { DockerConfig, SwarmConfig } from '../../config.js';
import { dockerOptionsFromConfig } from '../docker/from-config.js';
import type { SwarmDriverOptions } from './options.js';
import { ConstraintError, parseConstraint } from './placement.js';

export class SwarmConfigError extends Error {
  override name = 'SwarmConfigError';
}

const MB = 1024 * 1024;

/**
 * The swarm driver's options from the settings: image, instance and limits as the docker driver
 * reads them (one room is the same room on both), the rest its own. A constraint this driver cannot
 * evaluate is a SwarmConfigError at start, not a failed create later.
 */
export function swarmOptionsFromConfig(
  docker: DockerConfig,
  swarm: SwarmConfig,
): Omit<SwarmDriverOptions, 'publicKeyPem' | 'log' | 'docker'> {
  try {
    for (const c of swarm.constraints) parseConstraint(c);
  } catch (err) {
    if (err instanceof ConstraintError)
      throw new SwarmConfigError(`BOXROOM_SWARM_CONSTRAINTS: ${err.message}`);
    throw err;
  }
  const d = dockerOptionsFromConfig({
    image: docker.image,
    instance: docker.instance,
    cpus: docker.cpus,
    memoryMb: docker.memoryMb,
    shmMb: docker.shmMb,
  });
  return {
    ...(d.image !== undefined ? { image: d.image } : {}),
    ...(d.instance !== undefined ? { instance: d.instance } : {}),
    ...(d.limits ? { limits: d.limits } : {}),
    network: swarm.network,
    egress: swarm.egress,
    constraints: swarm.constraints,
    maxRoomsPerNode: swarm.maxRoomsPerNode,
    reservations: {
      nanoCpus: Math.round(swarm.reserveCpus * 1e9),
      memoryBytes: Math.round(swarm.reserveMemoryMb * MB),
    },
  };
}
