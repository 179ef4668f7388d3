import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyReply } from 'fastify';
import { errors } from '../errors.js';

/** One byte range of `bytes=a-b` / `bytes=a-` / `bytes=-n`; null: the whole file; 'bad': 416. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | null | 'bad' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'bad';
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  return start > end || start >= size ? 'bad' : { start, end };
}

/**
 * A file as the answer, with single-range support (players and download managers seek with it).
 * `onDone` runs when the response ended (a temporary file is removed then).
 */
export async function sendFile(
  reply: FastifyReply,
  path: string,
  o: { type: string; range?: string; cache: string; name?: string; onDone?: () => void },
): Promise<FastifyReply> {
  const size = await stat(path).then(
    (s) => s.size,
    () => {
      throw errors.notFound('no such file');
    },
  );
  const range = parseRange(o.range, size);
  void reply.header('content-type', o.type).header('accept-ranges', 'bytes').header('cache-control', o.cache);
  if (o.name) void reply.header('content-disposition', `attachment; filename="${o.name}"`);
  if (o.onDone) {
    const onDone = o.onDone;
    let ran = false;
    const once = () => {
      if (ran) return;
      ran = true;
      onDone();
    };
    reply.raw.once('close', once);
    // the client left while the file was looked at: 'close' was emitted already
    if (reply.raw.destroyed) once();
  }
  if (range === 'bad') {
    return reply
      .status(416)
      .header('content-type', 'application/json; charset=utf-8')
      .header('content-range', `bytes */${size}`)
      .send({ error: { code: 'bad_request', message: `range not satisfiable (size ${size})` } });
  }
  if (range) {
    void reply
      .status(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
      .header('content-length', range.end - range.start + 1);
    return reply.send(createReadStream(path, { start: range.start, end: range.end }));
  }
  void reply.header('content-length', size);
  return reply.send(createReadStream(path));
}
