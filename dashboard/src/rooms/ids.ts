import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export const ROOM_ID_LENGTH = 10;
/** Room ids: short, lowercase, URL- and DNS-label-safe (they become container and pod names). */
export const ROOM_ID_PATTERN = '^[a-z0-9]{10}$';
const ROOM_ID_RE = new RegExp(ROOM_ID_PATTERN);

/** Uniform over the alphabet: bytes >= 252 are rejected instead of taken modulo 36. */
export function randomId(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 252 && out.length < length) out += ALPHABET[b % ALPHABET.length];
    }
  }
  return out;
}

export const newRoomId = (): string => randomId(ROOM_ID_LENGTH);
export const newParticipantId = (): string => `p${randomId(11)}`;
/** What newParticipantId makes: only these can be kicked (never the operator or the dashboard itself). */
export const PARTICIPANT_ID_PATTERN = '^p[a-z0-9]{11}$';
export const isRoomId = (s: string): boolean => ROOM_ID_RE.test(s);
