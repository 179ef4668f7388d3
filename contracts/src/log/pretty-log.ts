/**
 * A person's view of pino's JSON lines, for a process whose stdout is a terminal (`npm start`):
 * `12:03:04.567 INFO  rooms: room created room=ab12 ms=840`. It formats lines pino has already
 * serialized, so everything its `redact` paths hide stays hidden. Both the dashboard and the room
 * agent use it; anything else (a pipe, a file, a container's log) gets the JSON as it is.
 */

const LEVELS: Record<number, [name: string, color: number]> = {
  10: ['TRACE', 90],
  20: ['DEBUG', 36],
  30: ['INFO ', 32],
  40: ['WARN ', 33],
  50: ['ERROR', 31],
  60: ['FATAL', 35],
};
/** pino's own fields and the ones every line of a process has: not repeated on each line */
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'svc', 'msg', 'mod', 'err']);

const paint = (color: boolean, code: number, s: string) => (color ? `\x1b[${code}m${s}\x1b[39m` : s);

function show(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  return JSON.stringify(v) ?? String(v);
}

/** One JSON log line as a readable line (with the error's stack below it); not JSON: as it is. */
export function prettyLine(json: string, color = true): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const [name, code] = LEVELS[Number(o.level)] ?? [String(o.level).padEnd(5), 39];
  const time = typeof o.time === 'number' ? new Date(o.time).toISOString().slice(11, 23) : '';
  const mod = typeof o.mod === 'string' ? paint(color, 1, `${o.mod}: `) : '';
  const fields = Object.entries(o)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => paint(color, 90, `${k}=`) + show(v));
  const head = [paint(color, 90, time), paint(color, code, name), `${mod}${String(o.msg ?? '')}`, ...fields];
  const err = o.err as { message?: unknown; stack?: unknown } | undefined;
  const tail =
    err && typeof err === 'object'
      ? `\n    ${String(err.stack ?? err.message ?? JSON.stringify(err)).replace(/\n/g, '\n    ')}`
      : '';
  return `${head.filter(Boolean).join(' ')}${tail}\n`;
}

/** A pino destination that writes prettyLine()s: `pino(options, prettyDestination(process.stdout))`. */
export function prettyDestination(
  out: { write(s: string): unknown },
  color = true,
): { write(s: string): void } {
  return {
    write(chunk: string) {
      // pino writes one line per call, ending in \n
      for (const line of chunk.split('\n')) if (line) out.write(prettyLine(line, color));
    },
  };
}
