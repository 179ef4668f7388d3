import type { DockerDriverOptions } from './options.js';
import { EgressAllowError, parseEgressAllow, type EgressRule } from './room-firewall-rules.js';

type Env = Readonly<Record<string, string | undefined>>;

export class DockerEnvError extends Error {
  override name = 'DockerEnvError';
}

/**
 * The docker driver's settings from the environment, for the dashboard's composition root:
 *   BOXROOM_DOCKER_IMAGE          room image (default boxroom/room:latest)
 *   BOXROOM_DOCKER_INSTANCE       label scope of this deployment (default "default")
 *   BOXROOM_DOCKER_NETWORK        network rooms join (default boxroom-rooms, made when missing)
 *   BOXROOM_DOCKER_AGENT_ADDRESS  published (default) | container
 *   BOXROOM_DOCKER_PUBLISH_HOST   where agent ports are published (default 127.0.0.1)
 *   BOXROOM_ROOM_CPUS             cores per room, decimal (default 1)
 *   BOXROOM_ROOM_MEMORY_MB        memory per room incl. its tmpfs (default 1024)
 *   BOXROOM_ROOM_SHM_MB           /dev/shm per room (default 256)
 *   BOXROOM_ROOM_FIREWALL         auto (default: install the rooms network's iptables rules when
 *                                 possible) | off
 *   BOXROOM_ROOM_EGRESS_ALLOW     CIDRs, addresses, host:port the rooms may reach although private
 */
export function dockerOptionsFromEnv(env: Env): Omit<DockerDriverOptions, 'publicKeyPem' | 'log' | 'docker'> {
  const agentAddress = env.BOXROOM_DOCKER_AGENT_ADDRESS || 'published';
  if (agentAddress !== 'published' && agentAddress !== 'container') {
    throw new DockerEnvError(
      `BOXROOM_DOCKER_AGENT_ADDRESS must be published or container, got "${agentAddress}"`,
    );
  }
  const num = (key: string, def: number, min: number, max: number): number => {
    const raw = env[key];
    if (raw === undefined || raw === '') return def;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max)
      throw new DockerEnvError(`${key} must be a number from ${min} to ${max}, got "${raw}"`);
    return n;
  };
  const firewall = env.BOXROOM_ROOM_FIREWALL || 'auto';
  if (firewall !== 'auto' && firewall !== 'off')
    throw new DockerEnvError(`BOXROOM_ROOM_FIREWALL must be auto or off, got "${firewall}"`);
  let egressAllow: EgressRule[];
  try {
    egressAllow = parseEgressAllow(env.BOXROOM_ROOM_EGRESS_ALLOW);
  } catch (err) {
    if (err instanceof EgressAllowError) throw new DockerEnvError(err.message);
    throw err;
  }
  const MB = 1024 * 1024;
  return {
    ...(env.BOXROOM_DOCKER_IMAGE ? { image: env.BOXROOM_DOCKER_IMAGE } : {}),
    ...(env.BOXROOM_DOCKER_INSTANCE ? { instance: env.BOXROOM_DOCKER_INSTANCE } : {}),
    ...(env.BOXROOM_DOCKER_NETWORK ? { network: env.BOXROOM_DOCKER_NETWORK } : {}),
    ...(env.BOXROOM_DOCKER_PUBLISH_HOST ? { publishHost: env.BOXROOM_DOCKER_PUBLISH_HOST } : {}),
    agentAddress,
    firewall,
    egressAllow,
    limits: {
      nanoCpus: Math.round(num('BOXROOM_ROOM_CPUS', 1, 0.1, 64) * 1e9),
      memoryBytes: Math.round(num('BOXROOM_ROOM_MEMORY_MB', 1024, 128, 65536) * MB),
      shmBytes: Math.round(num('BOXROOM_ROOM_SHM_MB', 256, 16, 8192) * MB),
    },
  };
}
