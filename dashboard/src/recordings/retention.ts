import { statfs } from 'node:fs/promises';
import type { Logger } from '../logger.js';
import type { StateStore } from '../store/state-store.js';
import type { RecordingEntry } from '../store/recording-entry.js';
import type { LimitReason } from './room-recorder.js';

export interface RetentionLimits {
  /** 0: no age limit */
  maxAgeS: number;
  /** 0: no cap */
  maxBytes: number;
  minFreeBytes: number;
}

/**
 * What is kept: finished recordings older than the age limit go, and while all recordings together
 * exceed the byte cap the oldest finished go first. Running recordings are never deleted: when they
 * alone exceed the cap, or the disk runs low, they stop (`partial`) instead.
 */
export class RecordingRetention {
  constructor(
    private readonly o: {
      store: Pick<StateStore, 'listRecordings'>;
      dir: string;
      limits: RetentionLimits;
      remove(id: string): Promise<void>;
      /** a recording's bytes on disk beside its segments (exports, frames): the cap counts them */
      derivedBytes(id: string): Promise<number>;
      log: Logger;
      now?: () => number;
    },
  ) {}

  /** Deletes what the limits say must go; returns the ids deleted. */
  async sweep(): Promise<string[]> {
    const { maxAgeS, maxBytes } = this.o.limits;
    if (!maxAgeS && !maxBytes) return [];
    const listed = await this.o.store.listRecordings();
    const all = maxBytes ? await this.withDerived(listed) : listed;
    const doomed = pickExpired(all, this.o.limits, (this.o.now ?? Date.now)());
    for (const e of doomed) {
      this.o.log.info({ recording: e.id, room: e.roomId, bytes: e.bytes }, 'recording deleted by retention');
      await this.o.remove(e.id);
    }
    return doomed.map((e) => e.id);
  }

  /** Why running recordings must stop now, or null. */
  async limit(): Promise<LimitReason | null> {
    const { maxBytes, minFreeBytes } = this.o.limits;
    if (minFreeBytes > 0) {
      const fs = await statfs(this.o.dir).catch(() => null);
      if (fs && fs.bavail * fs.bsize < minFreeBytes) return 'disk-full';
    }
    if (maxBytes > 0) {
      const running = (await this.o.store.listRecordings()).filter((e) => e.state === 'recording');
      const measured = await this.withDerived(running);
      if (measured.reduce((s, e) => s + e.bytes, 0) > maxBytes) return 'byte-cap';
    }
    return null;
  }

  /** The entries with `bytes` as the cap counts them: segments, exports and frames. */
  private async withDerived(entries: RecordingEntry[]): Promise<RecordingEntry[]> {
    return Promise.all(
      entries.map(async (e) => ({
        ...e,
        bytes: e.bytes + (await this.o.derivedBytes(e.id).catch(() => 0)),
      })),
    );
  }
}

/** The finished recordings the limits remove: too old, then the oldest while over the cap. Pure. */
export function pickExpired(
  all: readonly RecordingEntry[],
  limits: RetentionLimits,
  nowMs: number,
): RecordingEntry[] {
  const finished = all.filter((e) => e.state !== 'recording').sort((a, b) => a.startedAt - b.startedAt);
  const out = new Set<RecordingEntry>();
  if (limits.maxAgeS > 0) {
    for (const e of finished) if (nowMs - (e.endedAt ?? e.startedAt) > limits.maxAgeS * 1000) out.add(e);
  }
  if (limits.maxBytes > 0) {
    let total = all.filter((e) => !out.has(e)).reduce((s, e) => s + e.bytes, 0);
    for (const e of finished) {
      if (total <= limits.maxBytes) break;
      if (out.has(e)) continue;
      out.add(e);
      total -= e.bytes;
    }
  }
  return [...out];
}
