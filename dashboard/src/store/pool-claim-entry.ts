import type { RecordPolicy, RecordingsVisibleTo } from '@boxroom/contracts';

/**
 * A pooled room taken by a create (rooms/pool): what the taker made of it. The runtime keeps the
 * spec the room was started with (docker labels cannot change); the store keeps this, and the one
 * insert that succeeds decides who took the room (two replicas never take one room twice).
 */
export interface PoolClaim {
  readonly room: string;
  readonly name: string;
  readonly ownerId: string;
  /** ms since epoch: when it was taken, the room's createdAt from then on */
  readonly createdAt: number;
  readonly record: RecordPolicy;
  readonly recordingsVisibleTo: RecordingsVisibleTo;
}
