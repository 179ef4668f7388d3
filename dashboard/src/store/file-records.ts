import type { Logger } from '../logger.js';
import { readJsonOr, SerialQueue, writeJsonAtomic } from './atomic-json.js';

/**
 * Records by id in one JSON file of the data dir (an array, in the order they were added), rewritten
 * atomically on every change, one change at a time: the file store's accounts and API tokens.
 */
export class FileRecords<T extends { id: string }> {
  private records = new Map<string, T>();
  private readonly writes = new SerialQueue();

  constructor(
    private readonly file: string,
    private readonly log: Logger,
    /** what the log says when the file cannot be read (the store then starts without them) */
    private readonly unreadable: string,
  ) {}

  async load(): Promise<void> {
    const data = await readJsonOr(this.file, this.log, this.unreadable);
    const list = Array.isArray(data) ? (data as T[]) : [];
    this.records = new Map(list.map((r) => [r.id, r]));
  }

  settled(): Promise<void> {
    return this.writes.run(async () => undefined);
  }

  get(id: string): T | null {
    const r = this.records.get(id);
    return r ? structuredClone(r) : null;
  }

  all(): T[] {
    return [...this.records.values()].map((r) => structuredClone(r));
  }

  /** `decide` answers the new record, 'delete', or null for no change; answers what is stored after. */
  change(
    id: string,
    decide: (r: T | null) => T | 'delete' | null,
  ): Promise<{ changed: boolean; now: T | null }> {
    return this.writes.run(async () => {
      const before = this.records.get(id) ?? null;
      const next = decide(before && structuredClone(before));
      if (next === null) return { changed: false, now: before && structuredClone(before) };
      const records = new Map(this.records);
      if (next === 'delete') records.delete(id);
      else records.set(id, structuredClone(next));
      await writeJsonAtomic(this.file, [...records.values()]);
      this.records = records;
      return { changed: true, now: next === 'delete' ? null : structuredClone(next) };
    });
  }
}
