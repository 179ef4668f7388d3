import Docker from 'dockerode';
import { pino } from 'pino';
import type { RoomDriver } from '../../rooms/room-driver.js';
import { DockerRoomDriver } from './docker-driver.js';
import { ENGINE_DEADLINE_MS, withDeadline } from './engine-deadline.js';
import { DEFAULT_IMAGE, resolveOptions, type DockerDriverOptions } from './options.js';

export type { DockerDriverOptions, RoomLimits } from './options.js';
export { DEFAULT_IMAGE, DEFAULT_LIMITS } from './options.js';

const PING_TIMEOUT_MS = 2_000;

function client(opts: Pick<DockerDriverOptions, 'docker'>): Docker {
  return opts.docker instanceof Docker ? opts.docker : new Docker(opts.docker);
}

/** The docker RoomDriver: one container per room, labels as the only state store. */
export function createDockerDriver(opts: DockerDriverOptions): RoomDriver {
  // the caller names the module (`mod`): a second `mod` from here would repeat the key in every line
  const log = opts.log ?? pino({ level: 'info' }).child({ mod: 'docker-driver' });
  return new DockerRoomDriver(client(opts), resolveOptions(opts), log);
}

/** True when an engine answers and the room image is present: what `BOXROOM_DRIVER=auto` checks. */
export async function dockerUsable(
  opts: Pick<DockerDriverOptions, 'docker' | 'image'> = {},
): Promise<boolean> {
  const docker = client(opts);
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('docker ping timed out')), PING_TIMEOUT_MS).unref(),
      ),
    ]);
    // image inspect takes no abort signal: the deadline's race answers for it
    await withDeadline('inspect', ENGINE_DEADLINE_MS.inspect, () =>
      docker.getImage(opts.image ?? DEFAULT_IMAGE).inspect(),
    );
    return true;
  } catch {
    return false;
  }
}
export { dockerOptionsFromConfig, DockerConfigError } from './from-config.js';
