import type { DockerConfig } from '../../config.js';
import type { DockerDriverOptions } from './options.js';
import { EgressAllowError, parseEgressAllow, type EgressRule } from './room-firewall-rules.js';

export class DockerConfigError extends Error {
  override name = 'DockerConfigError';
}

const MB = 1024 * 1024;

/**
 * The docker driver's options from the settings a process read (config.ts: the dashboard's all of
 * them, the janitor and the room firewall CLI what they need). The egress exceptions are parsed
 * here, where their rules live: a bad one is a DockerConfigError.
 */
export function dockerOptionsFromConfig(
  c: Partial<DockerConfig>,
): Omit<DockerDriverOptions, 'publicKeyPem' | 'log' | 'docker'> {
  let egressAllow: EgressRule[] | undefined;
  try {
    egressAllow = c.egressAllow && parseEgressAllow(c.egressAllow.join(','));
  } catch (err) {
    if (err instanceof EgressAllowError) throw new DockerConfigError(err.message);
    throw err;
  }
  return {
    ...(c.image !== undefined ? { image: c.image } : {}),
    ...(c.instance !== undefined ? { instance: c.instance } : {}),
    ...(c.network !== undefined ? { network: c.network } : {}),
    ...(c.publishHost !== undefined ? { publishHost: c.publishHost } : {}),
    ...(c.agentAddress !== undefined ? { agentAddress: c.agentAddress } : {}),
    ...(c.firewall !== undefined ? { firewall: c.firewall } : {}),
    ...(egressAllow ? { egressAllow } : {}),
    ...(c.cpus !== undefined && c.memoryMb !== undefined && c.shmMb !== undefined
      ? {
          limits: {
            nanoCpus: Math.round(c.cpus * 1e9),
            memoryBytes: Math.round(c.memoryMb * MB),
            shmBytes: Math.round(c.shmMb * MB),
          },
        }
      : {}),
  };
}
