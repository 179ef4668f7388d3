import { open, readFile, type FileHandle } from 'node:fs/promises';
import type { AuditEntry } from '@boxroom/contracts';
import type { Logger } from '../logger.js';
import { SerialQueue, writeFileAtomic } from './atomic-json.js';
import { auditEntryOf, matchesAudit, type AuditFilter, type NewAuditEntry } from './audit-entry.js';

/** One line of `audit.jsonl`. */
interface StoredAudit extends AuditEntry {
  key?: string;
}

/**
 * The line a prune that drops the newest entry writes first: the highest id ever given, so ids go on
 * from it after a restart (a reader paging with `after` would otherwise miss the reused ids).
 */
interface HighWaterMark {
  lastId: number;
}
const isMark = (line: object): line is HighWaterMark => 'lastId' in line && !('action' in line);

/**
 * The file store's audit trail: an append-only JSON-lines file (`audit.jsonl`, one entry a line,
 * each appended and synced before the action's answer), read whole at start into memory, rewritten
 * atomically only when pruned. A line torn by a crash mid-append is skipped on the next start. Ids
 * never go back: a prune that empties the trail keeps the last id given in a line of its own.
 * Bounded by the retention job (BOXROOM_AUDIT_RETENTION_DAYS, BOXROOM_AUDIT_MAX_ENTRIES).
 */
export class FileAudit {
  private entries: StoredAudit[] = [];
  private readonly keys = new Set<string>();
  private lastId = 0;
  /** the file ends in a line cut short (a crash mid-append): the next append starts a new line */
  private torn = false;
  private handle: FileHandle | null = null;
  private readonly writes = new SerialQueue();

  constructor(
    private readonly file: string,
    private readonly log: Logger,
  ) {}

  async load(): Promise<void> {
    let text = '';
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        this.log.error({ err, file: this.file }, 'audit trail unreadable: starting a new one');
    }
    this.torn = text.length > 0 && !text.endsWith('\n');
    let bad = 0;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const parsed = JSON.parse(line) as StoredAudit | HighWaterMark;
        if (isMark(parsed)) this.lastId = Math.max(this.lastId, Number(parsed.lastId) || 0);
        else this.add(parsed);
      } catch {
        bad++;
      }
    }
    if (bad > 0) this.log.warn({ file: this.file, lines: bad }, 'audit trail: unreadable lines skipped');
  }

  append(e: NewAuditEntry): Promise<AuditEntry | null> {
    return this.writes.run(async () => {
      if (e.key !== null && this.keys.has(e.key)) return null;
      const stored: StoredAudit = { ...auditEntryOf(this.lastId + 1, e), ...(e.key ? { key: e.key } : {}) };
      this.handle ??= await open(this.file, 'a', 0o600);
      try {
        await this.handle.appendFile(`${this.torn ? '\n' : ''}${JSON.stringify(stored)}\n`);
      } catch (err) {
        // part of the line may be there (a full disk): the next entry starts on a line of its own
        this.torn = true;
        throw err;
      }
      this.torn = false;
      await this.handle.datasync();
      this.add(stored);
      return publicOf(stored);
    });
  }

  query(f: AuditFilter): AuditEntry[] {
    const out: StoredAudit[] = [];
    // paging back (`beforeId`) takes the newest matches: walk from the end
    const back = f.beforeId !== undefined;
    for (let i = 0; i < this.entries.length && out.length < f.limit; i++) {
      const e = this.entries[back ? this.entries.length - 1 - i : i]!;
      if (matchesAudit(e, f)) out.push(e);
    }
    if (back) out.reverse();
    return out.map(publicOf);
  }

  /** Drops entries older than `beforeMs` and all but the newest `keepMax` (0: no cap); the number dropped. */
  prune(beforeMs: number, keepMax: number): Promise<number> {
    return this.writes.run(async () => {
      const young = this.entries.filter((e) => Date.parse(e.at) >= beforeMs);
      const kept = keepMax > 0 ? young.slice(-keepMax) : young;
      const dropped = this.entries.length - kept.length;
      if (dropped === 0) return 0;
      await this.handle?.close();
      this.handle = null;
      // the newest entry dropped too (all were old): its id stays taken, in the same atomic rewrite
      const mark: HighWaterMark[] = kept.some((e) => Number(e.id) === this.lastId)
        ? []
        : [{ lastId: this.lastId }];
      const lines = [...mark, ...kept].map((e) => `${JSON.stringify(e)}\n`);
      await writeFileAtomic(this.file, lines.join(''));
      this.torn = false;
      this.entries = kept;
      this.keys.clear();
      for (const e of kept) if (e.key) this.keys.add(e.key);
      return dropped;
    });
  }

  async close(): Promise<void> {
    await this.writes.run(async () => {
      await this.handle?.close();
      this.handle = null;
    });
  }

  private add(e: StoredAudit): void {
    this.entries.push(e);
    if (e.key) this.keys.add(e.key);
    this.lastId = Math.max(this.lastId, Number(e.id));
  }
}

function publicOf(e: StoredAudit): AuditEntry {
  const { id, at, actor, action, roomId, outcome, detail } = e;
  return structuredClone({ id, at, actor, action, roomId, outcome, detail });
}
