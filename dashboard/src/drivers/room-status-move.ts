import { canMoveRoomStatus } from '@boxroom/contracts';
import type { Logger } from '../logger.js';
import type { RoomStatus } from '../rooms/room-driver.js';

/**
 * The gate every driver's status change passes, so all runtimes follow one table (contracts'
 * ROOM_STATUS_MOVES). True: the room moves, and the driver records and announces `to`. False: it is
 * there already, or the move is illegal (a late or replayed runtime event, a race with a delete),
 * which is logged with the room and both statuses; the status stays and nothing is announced.
 * `from` undefined: a room this driver sees for the first time (created, or found in the runtime).
 */
export function roomStatusMove(
  log: Logger,
  room: string,
  from: RoomStatus | undefined,
  to: RoomStatus,
): boolean {
  if (from === to) return false;
  if (from === undefined || canMoveRoomStatus(from, to)) return true;
  log.warn({ room, from, to }, 'illegal room status move refused');
  return false;
}
