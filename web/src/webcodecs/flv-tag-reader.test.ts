import { describe, expect, it } from 'vitest';
import { FLV } from '@boxroom/contracts';
import { FlvFormatError, FlvTagReader } from './flv-tag-reader.js';

const HEADER = [0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 9, 0, 0, 0, 0];

/** One FLV tag with its trailing PreviousTagSize. */
function tag(type: number, timestampMs: number, body: number[]): number[] {
  const n = body.length;
  const ts = timestampMs >>> 0;
  return [
    type,
    (n >> 16) & 0xff,
    (n >> 8) & 0xff,
    n & 0xff,
    (ts >> 16) & 0xff,
    (ts >> 8) & 0xff,
    ts & 0xff,
    (ts >>> 24) & 0xff,
    0,
    0,
    0,
    ...body,
    0,
    0,
    0,
    n + 11,
  ];
}

describe('FlvTagReader', () => {
  const stream = [
    ...HEADER,
    ...tag(FLV.SCRIPT_TAG, 0, [2, 0, 1, 0x41]),
    ...tag(FLV.VIDEO_TAG, 40, [0x17, 1, 0, 0, 0, 9, 9]),
    ...tag(FLV.AUDIO_TAG, 0x01234567, [0xaf, 1, 7]),
  ];

  it('reads the tags of a whole stream', () => {
    const tags = new FlvTagReader().push(new Uint8Array(stream));
    expect(tags.map((t) => [t.type, t.timestampMs, [...t.body]])).toEqual([
      [FLV.SCRIPT_TAG, 0, [2, 0, 1, 0x41]],
      [FLV.VIDEO_TAG, 40, [0x17, 1, 0, 0, 0, 9, 9]],
      // the extended byte is the timestamp's high byte
      [FLV.AUDIO_TAG, 0x01234567, [0xaf, 1, 7]],
    ]);
  });

  it('gives the same tags whatever the pieces the bytes come in (one byte at a time too)', () => {
    for (const size of [1, 2, 5, 13, 17, 100]) {
      const r = new FlvTagReader();
      const seen: Array<[number, number[]]> = [];
      for (let i = 0; i < stream.length; i += size)
        for (const t of r.push(new Uint8Array(stream.slice(i, i + size)))) seen.push([t.type, [...t.body]]);
      expect(seen.map((s) => s[0])).toEqual([FLV.SCRIPT_TAG, FLV.VIDEO_TAG, FLV.AUDIO_TAG]);
      expect(seen[1]![1]).toEqual([0x17, 1, 0, 0, 0, 9, 9]);
    }
  });

  it('keeps a returned body intact across the next push', () => {
    const r = new FlvTagReader();
    const [first] = r.push(new Uint8Array([...HEADER, ...tag(FLV.VIDEO_TAG, 0, [1, 2, 3])]));
    r.push(new Uint8Array(tag(FLV.VIDEO_TAG, 0, [7, 7, 7])));
    expect([...first!.body]).toEqual([1, 2, 3]);
  });

  it('reads push after push into one buffer (no new one per push), and an earlier body stays intact', () => {
    const r = new FlvTagReader();
    const [first] = r.push(new Uint8Array([...HEADER, ...tag(FLV.VIDEO_TAG, 0, [1, 2, 3])]));
    const bodies = [first!.body];
    for (let i = 0; i < 50; i++)
      bodies.push(r.push(new Uint8Array(tag(FLV.VIDEO_TAG, i, [i, i, i])))[0]!.body);
    expect(new Set(bodies.map((b) => b.buffer)).size).toBe(1);
    expect([...first!.body]).toEqual([1, 2, 3]);
    expect([...bodies[50]!]).toEqual([49, 49, 49]);
  });

  it('refuses what is not FLV', () => {
    expect(() => new FlvTagReader().push(new TextEncoder().encode('<html>not a stream</html>'))).toThrow(
      FlvFormatError,
    );
  });
});
