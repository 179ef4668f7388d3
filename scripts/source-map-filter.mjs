// Source maps that keep only the mappings into some sources. The room agent's bundle holds ~1,300
// files of dependencies around ~40 of ours; the whole map is parsed to map one logged stack
// (contracts/src/log/stack-map.ts), and the full one cost ~70 ms of CPU. Stack frames in our code map
// exactly as before; frames in dependencies show the bundle's line and column.

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...B64].map((c, i) => [c, i]));

/** One segment's fields (Base64 VLQ, each relative to the same field of the segment before it). */
function decodeSegment(segment) {
  const fields = [];
  let value = 0;
  let shift = 0;
  for (const ch of segment) {
    const digit = DIGIT.get(ch);
    value += (digit & 31) << shift;
    if (digit & 32) shift += 5;
    else {
      fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return fields;
}

function encodeField(n) {
  let value = n < 0 ? (-n << 1) | 1 : n << 1;
  let out = '';
  do {
    let digit = value & 31;
    value >>>= 5;
    if (value) digit |= 32;
    out += B64[digit];
  } while (value);
  return out;
}

/**
 * `map` (source map v3) with only the segments whose source passes `keep`. Where dropped code follows
 * kept code, an unmapped segment is left, so lookups there find nothing instead of borrowing the
 * position of the kept code before them. `sources` and `names` stay as they are (indexes unchanged).
 */
export function keepSourceMappings(map, keep) {
  const kept = map.sources.map((s) => keep(s));
  // absolute values while reading, and the last ones written (fields are deltas across lines)
  const at = { source: 0, line: 0, column: 0, name: 0 };
  const out = { source: 0, line: 0, column: 0, name: 0 };
  const lines = map.mappings.split(';').map((line) => {
    const segments = [];
    let column = 0;
    let lastColumn = 0;
    let unmapped = false;
    for (const segment of line ? line.split(',') : []) {
      const f = decodeSegment(segment);
      column += f[0];
      if (f.length > 1) {
        at.source += f[1];
        at.line += f[2];
        at.column += f[3];
        if (f.length > 4) at.name += f[4];
      }
      if (f.length === 1 || !kept[at.source]) {
        if (!unmapped) {
          segments.push(encodeField(column - lastColumn));
          lastColumn = column;
          unmapped = true;
        }
        continue;
      }
      unmapped = false;
      let s =
        encodeField(column - lastColumn) +
        encodeField(at.source - out.source) +
        encodeField(at.line - out.line) +
        encodeField(at.column - out.column);
      if (f.length > 4) {
        s += encodeField(at.name - out.name);
        out.name = at.name;
      }
      lastColumn = column;
      out.source = at.source;
      out.line = at.line;
      out.column = at.column;
      segments.push(s);
    }
    return segments.join(',');
  });
  return { ...map, mappings: lines.join(';') };
}
