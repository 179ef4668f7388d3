import { randomBytes } from 'node:crypto';
import { ROOM_ID_LENGTH, ROOM_ID_PATTERN } from '@boxroom/contracts';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

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
export const isRoomId = (s: string): boolean => ROOM_ID_RE.test(s);
