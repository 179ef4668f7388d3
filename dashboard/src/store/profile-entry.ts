/**
 * A persistent profile as the state store keeps it: one per (owner, name). `inUseBy` is the lease:
 * the room that has its home mounted, at most one, or the deletion removing it.
 */
export interface ProfileEntry {
  owner: string;
  name: string;
  /** a room id, or null when free */
  inUseBy: string | null;
  /** measured when the last room using it ended; null before */
  bytes: number | null;
  /** ms since epoch */
  createdAt: number;
  /** ms since epoch: when a room last took or freed it */
  lastUsedAt: number;
}

/** Who holds which profile: `holder` is a room id (or a deletion in progress). */
export interface ProfileLease {
  owner: string;
  name: string;
  holder: string;
}

/** One key per profile, for maps: the pair as JSON (no separator an owner id could forge). */
export function profileEntryKey(owner: string, name: string): string {
  return JSON.stringify([owner, name]);
}
