import type { RoomDriver } from '../../rooms/room-driver.js';
import type { DriverOptions } from '../driver-options.js';
import { LocalDriver, type LocalDriverSettings } from './local-driver.js';

export type { LocalDriverSettings };
export { LocalDriver };

export function createLocalDriver(opts: DriverOptions, settings: LocalDriverSettings): RoomDriver {
  return new LocalDriver(opts, settings);
}
