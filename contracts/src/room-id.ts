import { Type, type Static } from 'typebox';

/** Room ids: short, lowercase, URL- and DNS-label-safe (they become container and pod names). */
export const ROOM_ID_LENGTH = 10;
export const ROOM_ID_PATTERN = `^[a-z0-9]{${ROOM_ID_LENGTH}}$`;

export const RoomId = Type.String({
  pattern: ROOM_ID_PATTERN,
  description: `room id: ${ROOM_ID_LENGTH} lowercase letters or digits`,
});
export type RoomId = Static<typeof RoomId>;
