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

/**
 * C0 and C1 control characters: logged text (a room name, a header, a message) is anyone's, and on
 * a terminal an escape sequence in it could recolour, hide or rewrite what the operator reads.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f]/;
const C1 = /[\x7f-\x9f]/g;

/** JSON.stringify, with the C1 characters it leaves as they are escaped too. */
function json(v: unknown): string {
  return (JSON.stringify(v) ?? String(v)).replace(
    C1,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A string as it is, or quoted (escaped) when it holds a control character. */
function safe(s: string): string {
  return CONTROL.test(s) ? json(s) : s;
}

function show(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) || CONTROL.test(v) || v === '' ? json(v) : v;
  return json(v);
}

/** One JSON log line as a readable line (with the error's stack below it); not JSON: as it is (quoted if it holds a control character). */
export function prettyLine(line: string, color = true): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return safe(line);
  }
  const [name, code] = LEVELS[Number(o.level)] ?? [safe(String(o.level)).padEnd(5), 39];
  const time = typeof o.time === 'number' ? new Date(o.time).toISOString().slice(11, 23) : '';
  const mod = typeof o.mod === 'string' ? paint(color, 1, `${safe(o.mod)}: `) : '';
  const fields = Object.entries(o)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => paint(color, 90, `${safe(k)}=`) + show(v));
  const head = [
    paint(color, 90, time),
    paint(color, code, name),
    `${mod}${safe(String(o.msg ?? ''))}`,
    ...fields,
  ];
  const err = o.err as { message?: unknown; stack?: unknown } | undefined;
  const tail =
    err && typeof err === 'object'
      ? `\n    ${String(err.stack ?? err.message ?? json(err))
          .split('\n')
          .map(safe)
          .join('\n    ')}`
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
