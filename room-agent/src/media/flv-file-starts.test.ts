import { describe, expect, it } from 'vitest';
import { FlvFileStarts } from './flv-file-starts.js';
import { aacFrame, aacHeader, flvHeader, flvTag } from './flv-test-fixture.js';

/** a sound file as ffmpeg writes it: header, metadata, AAC header, frames */
const soundFile = (frames: number, from: number): Buffer =>
  Buffer.concat([
    flvHeader(4),
    flvTag(18, 0, Buffer.from('metadata body')),
    aacHeader(),
    ...Array.from({ length: frames }, (_, i) => aacFrame(from + i * 21)),
  ]);

/** Feeds `bytes` in pieces of `size`; @returns where later files begin, as offsets into `bytes`. */
function starts(bytes: Buffer, size: number): number[] {
  const found: number[] = [];
  const s = new FlvFileStarts();
  for (let base = 0; base < bytes.length; base += size) {
    const chunk = bytes.subarray(base, base + size);
    for (let from = 0; ;) {
      const at = s.next(chunk, from);
      if (at < 0) break;
      found.push(base + at);
      from = at;
    }
  }
  return found;
}

describe('FlvFileStarts', () => {
  const first = soundFile(5, 79);
  const second = soundFile(3, 90_000);
  const third = soundFile(2, 120_000);
  const pipe = Buffer.concat([first, second, third]);

  it('reports each file after the first where it begins, however the bytes are chunked', () => {
    for (const size of [1, 2, 3, 7, 11, 12, 13, 64, pipe.length])
      expect(starts(pipe, size), `chunks of ${size}`).toEqual([first.length, first.length + second.length]);
  });

  it('reports nothing in one file, even where a tag body holds an "F" at a chunk edge', () => {
    const tag = flvTag(8, 5, Buffer.from('FLVFLVFLV'));
    const one = Buffer.concat([flvHeader(4), tag, tag, tag]);
    for (const size of [1, 5, 11, 12, 20]) expect(starts(one, size)).toEqual([]);
  });

  it('steps over a file header with a larger DataOffset', () => {
    const head = Buffer.from([0x46, 0x4c, 0x56, 1, 4, 0, 0, 0, 12, 1, 2, 3, 0, 0, 0, 0]);
    const odd = Buffer.concat([head, aacFrame(1), head, aacFrame(2)]);
    expect(starts(odd, 5)).toEqual([head.length + aacFrame(1).length]);
  });
});
