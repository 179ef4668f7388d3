import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import type { Logger } from '../logger.js';

/** A logger whose records tests can inspect. */
export function captureLogger(): { log: Logger; records: Array<Record<string, unknown>> } {
  const records: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void records.push(JSON.parse(line)) });
  return { log, records };
}

/** Resolves with the first `event` whose arguments satisfy `match`, or rejects after timeoutMs. */
export function nextEvent<A extends unknown[]>(
  emitter: EventEmitter,
  event: string,
  match: (...args: A) => boolean,
  timeoutMs = 5_000,
): Promise<A> {
  return new Promise((resolve, reject) => {
    const handler = (...args: unknown[]): void => {
      if (!match(...(args as A))) return;
      clearTimeout(timer);
      emitter.off(event, handler);
      resolve(args as A);
    };
    const timer = setTimeout(() => {
      emitter.off(event, handler);
      reject(new Error(`no matching "${event}" within ${timeoutMs} ms`));
    }, timeoutMs);
    emitter.on(event, handler);
  });
}

/** Alive and not a zombie: an orphaned grandchild is reaped by init, which may take a moment. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Waits (briefly, for tests) until `pid` has died; signal delivery to a group is asynchronous. */
export async function diesWithin(pid: number, timeoutMs = 500): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

/** `node -e` one-liner that listens on a unix socket after `delayMs` (and optionally ignores SIGTERM). */
export function socketServerArgs(
  path: string,
  opts: { delayMs?: number; ignoreTerm?: boolean } = {},
): string[] {
  const script = [
    opts.ignoreTerm ? "process.on('SIGTERM', () => {});" : '',
    // a killed predecessor leaves its socket file behind, as real daemons do; clear it first
    `try { require('fs').unlinkSync(${JSON.stringify(path)}) } catch {}`,
    `setTimeout(() => require('net').createServer().listen(${JSON.stringify(path)}), ${opts.delayMs ?? 0});`,
  ].join('\n');
  return ['-e', script];
}
