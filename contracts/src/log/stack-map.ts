/**
 * Stack traces of the bundled programs (the room agent, the dashboard server), mapped back to the
 * TypeScript sources when they are logged, not when the program starts. `node --enable-source-maps`
 * maps every stack, but it reads the bundle's map at the first one and splits the whole 4.8-6.6 MB
 * bundle into lines to do it: ~200 ms of CPU on a room's start, where Xvfb and the encoders wait for
 * the CPU (docs/decisions.md, "A room's start, round two"). Here the map is read and parsed on the
 * first stack that needs it, once per file, and only frames of a file with a `.map` beside it change.
 */
import { readFileSync, statSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { fileURLToPath } from 'node:url';

/** `file:///…/x.mjs:12:34` in a V8 stack frame (with or without the function name around it) */
const FRAME = /(file:\/\/\/\S+?\.m?js):(\d+):(\d+)/g;

/** per bundle URL: its parsed map, or null when it has none (or an unreadable one) */
const maps = new Map<string, SourceMap | null>();

function mapOf(url: string): SourceMap | null {
  let map = maps.get(url);
  if (map === undefined) {
    try {
      const file = `${fileURLToPath(url)}.map`;
      // a map written after this process started belongs to a rebuilt bundle, not to the code running
      // (a local room outlives `npm run build`): its lines would be wrong
      map =
        statSync(file).mtimeMs > performance.timeOrigin
          ? null
          : new SourceMap(JSON.parse(readFileSync(file, 'utf8')) as SourceMapPayload);
    } catch {
      map = null;
    }
    maps.set(url, map);
  }
  return map;
}

/**
 * `stack` with each frame in a mapped bundle pointing at its source (`file:///…/src/main.ts:80:3`, as
 * Node's own mapping writes it); frames in code the map leaves out (dependencies) stay as they are.
 * Unchanged when Node maps stacks itself (`--enable-source-maps`, e.g. through NODE_OPTIONS).
 */
export function mapStack(stack: string): string {
  if (process.sourceMapsEnabled) return stack;
  return stack.replace(FRAME, (frame, url: string, line: string, column: string) => {
    const at = Number(line) - 1;
    const entry = mapOf(url)?.findEntry(at, Number(column) - 1);
    // Node's lookup falls back to the last mapping before the position, however far back: one on
    // an earlier line belongs to other code (the map keeps only our sources, and a bundle's line
    // never mixes two of them)
    if (!entry || !('originalSource' in entry) || !entry.originalSource || entry.generatedLine !== at)
      return frame;
    return `${new URL(entry.originalSource, url).href}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}

/** For a pino `err` serializer: the serialized error with its stack mapped (anything else as it is). */
export function withMappedStack<T>(serialized: T): T {
  if (typeof serialized === 'object' && serialized !== null && 'stack' in serialized) {
    const s = serialized as { stack: unknown };
    if (typeof s.stack === 'string') s.stack = mapStack(s.stack);
  }
  return serialized;
}

/**
 * An uncaught exception (or an unhandled rejection, which Node 20 turns into one) is written with
 * its stack mapped, as Node would have written it with --enable-source-maps, and the process exits 1.
 */
export function reportCrashesWithMappedStacks(program: string): void {
  process.on('uncaughtException', (err) => {
    process.stderr.write(`${program}: uncaught exception: ${errorText(err)}\n`);
    process.exit(1);
  });
}

/** An error's stack, mapped, for a line on stderr; anything else thrown as a string. */
export function errorText(err: unknown): string {
  return err instanceof Error ? mapStack(err.stack ?? String(err)) : String(err);
}
