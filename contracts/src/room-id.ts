import { Type, type Static } from 'typebox';

/** Room ids: short, lowercase, URL- and DNS-label-safe (they become container and pod names). */
export const ROOM_ID_LENGTH = 10;
export const ROOM_ID_PATTERN = `^[a-z0-9]{${ROOM_ID_LENGTH}}$`;

export const RoomId = Type.String({
  pattern: ROOM_ID_PATTERN,
  description: `room id: ${ROOM_ID_LENGTH} lowercase letters or digits`,
});
export type RoomId = Static<typeof RoomId>;

/** Participant ids the dashboard makes (`p` + 11): only these can be kicked (never the operator or the dashboard itself). */
export const PARTICIPANT_ID_PATTERN = '^p[a-z0-9]{11}$';
