import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Logger } from '../logger.js';

/** Lines kept per process so an unexpected exit can be logged with its last words. */
export const OUTPUT_TAIL_LINES = 20;

/**
 * Forwards a child's stdout/stderr lines to its logger at debug level and remembers the last few,
 * which are only interesting (and logged at warn) when the process dies unexpectedly.
 */
export class OutputTail {
  private readonly lines: string[] = [];

  constructor(
    private readonly log: Logger,
    private readonly maxLines = OUTPUT_TAIL_LINES,
  ) {}

  attach(stream: Readable | null, name: 'stdout' | 'stderr'): void {
    if (!stream) return;
    const rl = createInterface({ input: stream, crlfDelay: Infinity });
    rl.on('line', (line) => {
      this.log.debug({ stream: name }, line);
      this.lines.push(line);
      if (this.lines.length > this.maxLines) this.lines.shift();
    });
    // a grandchild may keep the pipe open; errors on it must not crash the agent
    stream.on('error', () => rl.close());
  }

  tail(): string[] {
    return [...this.lines];
  }

  clear(): void {
    this.lines.length = 0;
  }
}
