import { timeoutsOf, type RoomSpec } from '../rooms/room-driver.js';

/**
 * The agent variables that carry a room's lifecycle (its timeouts and birth time), as KEY=value
 * lines, for every driver: the agent runs the clocks, so both drivers must hand it the same values.
 * The dashboard's own BOXROOM_ROOM_*_S are defaults, resolved per room before this.
 */
export function roomLifecycleEnv(spec: RoomSpec): string[] {
  const t = timeoutsOf(spec);
  return [
    `BOXROOM_ROOM_MAX_AGE_S=${t.maxAgeS}`,
    `BOXROOM_ROOM_NO_VIEWERS_S=${t.noViewersS}`,
    `BOXROOM_ROOM_NO_INPUT_S=${t.noInputS}`,
    `BOXROOM_ROOM_CREATED_AT=${spec.createdAt}`,
  ];
}
