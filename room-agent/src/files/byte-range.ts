/** One byte span of a file, both ends included (as HTTP's Content-Range counts them). */
export interface ByteSpan {
  start: number;
  end: number;
}

/**
 * A `Range` header against a file of `size` bytes: null when there is none or it is not one we serve
 * (several ranges, another unit: RFC 9110 lets a server ignore it and send the whole file),
 * 'unsatisfiable' when it starts past the end (416), else the span, clipped to the file.
 */
export function parseByteRange(header: string | undefined, size: number): ByteSpan | null | 'unsatisfiable' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (size === 0) return 'unsatisfiable';
  if (m[1] === '') {
    // the last n bytes
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size) return 'unsatisfiable';
  if (end < start) return null;
  return { start, end };
}
