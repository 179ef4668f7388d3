import Docker from 'dockerode';
import { pino } from 'pino';
import type { RoomDriver } from '../../rooms/room-driver.js';
import { resolveSwarmOptions, type SwarmDriverOptions } from './options.js';
import { SwarmRoomDriver } from './swarm-driver.js';
import { SwarmEngine } from './swarm-engine.js';

export type { SwarmDriverOptions } from './options.js';
export { swarmOptionsFromConfig, SwarmConfigError } from './from-config.js';

/** The swarm RoomDriver: one service per room on the swarm the engine at `docker` manages. */
export function createSwarmDriver(opts: SwarmDriverOptions): RoomDriver {
  const log = opts.log ?? pino({ level: 'info' }).child({ mod: 'swarm-driver' });
  const o = resolveSwarmOptions(opts);
  const docker = opts.docker instanceof Docker ? opts.docker : new Docker(opts.docker);
  return new SwarmRoomDriver(new SwarmEngine(docker, o.instance), o, log);
}
