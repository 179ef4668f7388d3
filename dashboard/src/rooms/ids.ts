import { randomBytes } from 'node:crypto';
import { ROOM_ID_LENGTH } from '@boxroom/contracts';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

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
