import type { Logger } from '../logger.js';
import { readJsonOr, SerialQueue, writeJsonAtomic } from './atomic-json.js';
import { patchOverrides, type QuotaOverrides, type RoomUsageEntry } from './quota-entry.js';

interface QuotasFile {
  /** account id -> its own limits */
  overrides: Record<string, QuotaOverrides>;
  /** the room-hours ledger, oldest first */
  usage: RoomUsageEntry[];
}

/**
 * The file store's quotas: one JSON file (`quotas.json`: the admins' per-account limits and the
 * room-hours ledger) rewritten atomically on every change, one change at a time.
 */
export class FileQuotas {
  private data: QuotasFile = { overrides: {}, usage: [] };
  private readonly writes = new SerialQueue();

  constructor(
    private readonly file: string,
    private readonly log: Logger,
  ) {}

  async load(): Promise<void> {
    // Unreadable: the defaults apply to everyone and today's hours start from the rooms that run.
    const raw = (await readJsonOr(this.file, this.log, 'quotas unreadable: defaults apply, ledger empty')) as
      Partial<QuotasFile> | undefined;
    this.data = {
      overrides: isRecord(raw?.overrides) ? raw.overrides : {},
      usage: Array.isArray(raw?.usage) ? raw.usage : [],
    };
  }

  settled(): Promise<void> {
    return this.writes.run(async () => undefined);
  }

  overrides(account: string): QuotaOverrides {
    return { ...this.data.overrides[account] };
  }

  allOverrides(): Record<string, QuotaOverrides> {
    return structuredClone(this.data.overrides);
  }

  patch(account: string, patch: QuotaOverrides): Promise<QuotaOverrides> {
    return this.change((d) => {
      const next = patchOverrides(d.overrides[account] ?? {}, patch);
      return { result: { ...next }, data: { ...d, overrides: { ...d.overrides, [account]: next } } };
    });
  }

  open(entry: Omit<RoomUsageEntry, 'endedAt'>): Promise<boolean> {
    return this.change((d) =>
      d.usage.some((e) => e.room === entry.room)
        ? { result: false }
        : { result: true, data: { ...d, usage: [...d.usage, { ...entry, endedAt: null }] } },
    );
  }

  close(room: string, endedAt: number): Promise<boolean> {
    return this.change((d) =>
      d.usage.some((e) => e.room === room && e.endedAt === null)
        ? {
            result: true,
            data: {
              ...d,
              usage: d.usage.map((e) => (e.room === room && e.endedAt === null ? { ...e, endedAt } : e)),
            },
          }
        : { result: false },
    );
  }

  list(sinceMs: number): RoomUsageEntry[] {
    return this.data.usage
      .filter((e) => e.endedAt === null || e.endedAt >= sinceMs)
      .map((e) => ({ ...e }))
      .sort((a, b) => a.startedAt - b.startedAt || a.room.localeCompare(b.room));
  }

  prune(endedBeforeMs: number): Promise<number> {
    return this.change((d) => {
      const kept = d.usage.filter((e) => e.endedAt === null || e.endedAt >= endedBeforeMs);
      const gone = d.usage.length - kept.length;
      return gone ? { result: gone, data: { ...d, usage: kept } } : { result: 0 };
    });
  }

  /** `decide` answers its result and the new data, or no data for no change (nothing written). */
  private change<T>(decide: (d: QuotasFile) => { result: T; data?: QuotasFile }): Promise<T> {
    return this.writes.run(async () => {
      const { result, data } = decide(this.data);
      if (data) {
        await writeJsonAtomic(this.file, data);
        this.data = data;
      }
      return result;
    });
  }
}

function isRecord(v: unknown): v is Record<string, QuotaOverrides> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
