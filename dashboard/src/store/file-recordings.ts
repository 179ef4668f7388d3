import { mergeRecordingWrite, type RecordingEntry } from './recording-entry.js';
import type { Logger } from '../logger.js';
import { readJsonOr, SerialQueue, writeJsonAtomic } from './atomic-json.js';

/**
 * The file store's recordings index: one JSON file (`recordings.json`, id -> entry), rewritten
 * atomically on every change. Entries are small (the media and the timeline are files of their own).
 */
export class FileRecordings {
  private entries: Record<string, RecordingEntry> = {};
  private readonly writes = new SerialQueue();

  constructor(
    private readonly file: string,
    private readonly log: Logger,
  ) {}

  async load(): Promise<void> {
    // The media are still on disk; an unreadable index loses their listing, not the files.
    const data = await readJsonOr(this.file, this.log, 'recordings index unreadable: starting empty');
    this.entries =
      typeof data === 'object' && data !== null && !Array.isArray(data)
        ? (data as Record<string, RecordingEntry>)
        : {};
  }

  settled(): Promise<void> {
    return this.writes.run(async () => undefined);
  }

  insert(entry: RecordingEntry): Promise<boolean> {
    return this.writes.run(async () => {
      const busy = Object.values(this.entries).some(
        (e) => e.roomId === entry.roomId && e.state === 'recording',
      );
      if (busy || this.entries[entry.id]) return false;
      await this.save({ ...this.entries, [entry.id]: structuredClone(entry) });
      return true;
    });
  }

  update(entry: RecordingEntry): Promise<void> {
    return this.writes.run(async () => {
      const stored = this.entries[entry.id];
      if (!stored) return;
      await this.save({ ...this.entries, [entry.id]: structuredClone(mergeRecordingWrite(stored, entry)) });
    });
  }

  list(): RecordingEntry[] {
    return Object.values(this.entries)
      .map((e) => structuredClone(e))
      .sort((a, b) => b.startedAt - a.startedAt);
  }

  get(id: string): RecordingEntry | null {
    const e = this.entries[id];
    return e ? structuredClone(e) : null;
  }

  delete(id: string): Promise<boolean> {
    return this.writes.run(async () => {
      if (!this.entries[id]) return false;
      const rest = { ...this.entries };
      delete rest[id];
      await this.save(rest);
      return true;
    });
  }

  private async save(next: Record<string, RecordingEntry>): Promise<void> {
    await writeJsonAtomic(this.file, next);
    this.entries = next;
  }
}
