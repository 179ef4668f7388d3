import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecordingTimelineEntry } from '@boxroom/contracts';
import type { Logger } from '../logger.js';

export const TIMELINE_FILE = 'events.jsonl';

/**
 * A recording's timeline: one JSON line per event, beside its media (it travels with them and
 * survives the index). Appends are serialized; a line lost to a crash loses that event only.
 */
export class RecordingTimeline {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
  ) {}

  add(entry: RecordingTimelineEntry): void {
    const line = `${JSON.stringify(entry)}\n`;
    this.chain = this.chain
      .then(() => appendFile(join(this.dir, TIMELINE_FILE), line))
      .catch((err: unknown) => this.log.warn({ err, type: entry.type }, 'timeline event not written'));
  }

  settled(): Promise<void> {
    return this.chain;
  }
}

/** Every event of a recording's timeline, by media time. */
export async function readTimeline(dir: string): Promise<RecordingTimelineEntry[]> {
  const text = await readFile(join(dir, TIMELINE_FILE), 'utf8').catch(() => '');
  const out: RecordingTimelineEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as RecordingTimelineEntry);
    } catch {
      // a line cut by a crash: the others stand
    }
  }
  return out.sort((a, b) => a.t - b.t);
}
