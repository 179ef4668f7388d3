import { randomBytes } from 'node:crypto';
import { ROOM_ID_LENGTH } from '@boxroom/contracts';
import { errors } from '../errors.js';

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

/** A new room id that no room listed (`existing`) or found has. */
export async function freshRoomId(
  newId: () => string,
  rooms: { get(id: string): Promise<unknown> },
  existing: readonly { spec: { id: string } }[],
): Promise<string> {
  const taken = new Set(existing.map((r) => r.spec.id));
  for (let i = 0; i < 5; i++) {
    const id = newId();
    if (!taken.has(id) && !(await rooms.get(id))) return id;
  }
  throw errors.internal(new Error('could not find a free room id'));
}
