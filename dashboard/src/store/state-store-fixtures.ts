import type { StoreChange } from './state-store.js';
import type { WebhookEvent } from '@boxroom/contracts';
import type { RecordingEntry } from './recording-entry.js';

/** The rooms the store suites write about. */
export const ROOM = 'aaaaaaaaaa';
export const OTHER = 'bbbbbbbbbb';

export function webhookEvent(id: string, room = ROOM): WebhookEvent {
  return { id, at: 1_700_000_000_000, room, type: 'room.deleted', data: { cause: 'request', by: 'op' } };
}

export function recordingEntry(id: string, startedAt: number, room = ROOM): RecordingEntry {
  return {
    id,
    roomId: room,
    roomName: 'demo',
    ownerId: 'operator',
    visibleTo: 'viewers',
    state: 'recording',
    startedAt,
    endedAt: null,
    endReason: null,
    startedBy: 'operator',
    durationS: 0,
    bytes: 0,
    parts: [],
    roomInvites: null,
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolves once `pred` holds on the changes seen, or fails after `timeoutMs`. */
export async function seen(
  changes: StoreChange[],
  pred: (c: StoreChange) => boolean,
  timeoutMs = 2000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!changes.some(pred)) {
    if (Date.now() > until) throw new Error(`change not seen in ${timeoutMs} ms: ${JSON.stringify(changes)}`);
    await sleep(10);
  }
}
