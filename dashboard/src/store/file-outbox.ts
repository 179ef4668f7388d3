import type { WebhookEvent } from '@boxroom/contracts';
import type { Logger } from '../logger.js';
import { readJson, SerialQueue, writeJsonAtomic } from './atomic-json.js';
import type { OutboxEntry } from './state-store.js';

/** Events waiting beyond this are dropped, oldest first: a dead receiver must not grow the file. */
const FILE_OUTBOX_MAX = 1000;
/** Ids of delivered events remembered, so the same event queued again is refused. */
const FINISHED_IDS_KEPT = 1000;

interface PendingEntry extends OutboxEntry {
  nextAtMs: number;
}

/** What `webhook-outbox.json` holds. */
interface OutboxFile {
  pending: PendingEntry[];
  finished: string[];
}

/**
 * The file store's webhook outbox: one JSON file, rewritten atomically on every change, so events
 * queued before a restart are still delivered after it. Bounded like the sender's memory queue.
 */
export class FileOutbox {
  private pending: PendingEntry[] = [];
  private finished: string[] = [];
  private readonly writes = new SerialQueue();

  constructor(
    private readonly file: string,
    private readonly log: Logger,
    private readonly max = FILE_OUTBOX_MAX,
  ) {}

  async load(): Promise<void> {
    const data = (await readJson(this.file).catch((err: unknown) => {
      this.log.error({ err, file: this.file }, 'webhook outbox unreadable: queued events lost');
      return undefined;
    })) as Partial<OutboxFile> | undefined;
    this.pending = Array.isArray(data?.pending) ? data.pending : [];
    this.finished = Array.isArray(data?.finished) ? data.finished : [];
  }

  enqueue(event: WebhookEvent): Promise<boolean> {
    return this.writes.run(async () => {
      if (this.finished.includes(event.id) || this.pending.some((e) => e.event.id === event.id)) return false;
      this.pending.push({ event, attempts: 0, nextAtMs: 0 });
      if (this.pending.length > this.max) {
        const dropped = this.pending.shift()!;
        this.log.warn(
          { event: dropped.event.id, type: dropped.event.type },
          'webhook outbox full: oldest event dropped',
        );
      }
      await this.save();
      return true;
    });
  }

  due(limit: number, nowMs: number): OutboxEntry[] {
    return this.pending
      .filter((e) => e.nextAtMs <= nowMs)
      .slice(0, limit)
      .map((e) => structuredClone({ event: e.event, attempts: e.attempts }));
  }

  finish(id: string): Promise<void> {
    return this.writes.run(async () => {
      const before = this.pending.length;
      this.pending = this.pending.filter((e) => e.event.id !== id);
      if (this.pending.length === before) return;
      this.finished = [...this.finished, id].slice(-FINISHED_IDS_KEPT);
      await this.save();
    });
  }

  retry(id: string, attempts: number, nextAtMs: number): Promise<void> {
    return this.writes.run(async () => {
      const entry = this.pending.find((e) => e.event.id === id);
      if (!entry) return;
      entry.attempts = attempts;
      entry.nextAtMs = nextAtMs;
      await this.save();
    });
  }

  /** Resolves once the writes queued so far are on disk. */
  settled(): Promise<void> {
    return this.writes.run(async () => undefined);
  }

  private save(): Promise<void> {
    const data: OutboxFile = { pending: this.pending, finished: this.finished };
    return writeJsonAtomic(this.file, data);
  }
}
