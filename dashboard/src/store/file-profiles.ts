import type { Logger } from '../logger.js';
import { readJsonOr, SerialQueue, writeJsonAtomic } from './atomic-json.js';
import { profileEntryKey, type ProfileEntry, type ProfileLease } from './profile-entry.js';

/**
 * The file store's profiles: one JSON file (`profiles.json`, an array of entries) rewritten
 * atomically on every change, one change at a time, so a take and a release never interleave.
 */
export class FileProfiles {
  private entries = new Map<string, ProfileEntry>();
  private readonly writes = new SerialQueue();

  constructor(
    private readonly file: string,
    private readonly log: Logger,
  ) {}

  async load(): Promise<void> {
    // The homes are still on disk (volumes, dirs); the next room that names one makes its entry again.
    const data = await readJsonOr(this.file, this.log, 'profiles unreadable: starting empty');
    const list = Array.isArray(data) ? (data as ProfileEntry[]) : [];
    this.entries = new Map(list.map((e) => [profileEntryKey(e.owner, e.name), e]));
  }

  settled(): Promise<void> {
    return this.writes.run(async () => undefined);
  }

  take({ owner, name, holder }: ProfileLease, nowMs: number): Promise<boolean> {
    return this.change(owner, name, (e) => {
      if (e && e.inUseBy !== null && e.inUseBy !== holder) return null;
      const base = e ?? { owner, name, inUseBy: null, bytes: null, createdAt: nowMs, lastUsedAt: nowMs };
      return { ...base, inUseBy: holder, lastUsedAt: nowMs };
    });
  }

  release({ owner, name, holder }: ProfileLease, nowMs: number, bytes: number | null): Promise<boolean> {
    return this.change(owner, name, (e) =>
      e && e.inUseBy === holder ? { ...e, inUseBy: null, lastUsedAt: nowMs, bytes: bytes ?? e.bytes } : null,
    );
  }

  setBytes(owner: string, name: string, bytes: number): Promise<boolean> {
    return this.change(owner, name, (e) => (e ? { ...e, bytes } : null));
  }

  delete({ owner, name, holder }: ProfileLease): Promise<boolean> {
    return this.change(owner, name, (e) => (e && e.inUseBy === holder ? 'delete' : null));
  }

  list(): ProfileEntry[] {
    return [...this.entries.values()]
      .map((e) => ({ ...e }))
      .sort(
        (a, b) => a.createdAt - b.createdAt || a.owner.localeCompare(b.owner) || a.name.localeCompare(b.name),
      );
  }

  /** `decide` answers the new entry, 'delete', or null for no change (the answer is false). */
  private change(
    owner: string,
    name: string,
    decide: (e: ProfileEntry | undefined) => ProfileEntry | 'delete' | null,
  ): Promise<boolean> {
    return this.writes.run(async () => {
      const key = profileEntryKey(owner, name);
      const next = decide(this.entries.get(key));
      if (next === null) return false;
      const entries = new Map(this.entries);
      if (next === 'delete') entries.delete(key);
      else entries.set(key, next);
      await writeJsonAtomic(this.file, [...entries.values()]);
      this.entries = entries;
      return true;
    });
  }
}
