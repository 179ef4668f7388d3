// The FLV reader lives in test/support (shared by integration tests and benchmarks); its unit test
// sits here because vitest's unit project only collects src/**/*.test.ts.
import { describe, expect, it } from 'vitest';
import { FlvReader } from '../../../test/support/flv-reader.js';

function header(): Buffer {
  return Buffer.from([0x46, 0x4c, 0x56, 0x01, 0x05, 0, 0, 0, 9, 0, 0, 0, 0]);
}

function tag(type: number, timestamp: number, data: number[]): Buffer {
  const buf = Buffer.alloc(11 + data.length + 4);
  buf[0] = type;
  buf.writeUIntBE(data.length, 1, 3);
  buf.writeUIntBE(timestamp & 0xffffff, 4, 3);
  buf[7] = (timestamp >>> 24) & 0xff;
  Buffer.from(data).copy(buf, 11);
  buf.writeUInt32BE(11 + data.length, 11 + data.length);
  return buf;
}

const stream = Buffer.concat([
  header(),
  tag(18, 0, [2, 0, 10, ...Buffer.from('onMetaData')]),
  tag(9, 0, [0x17, 0, 0, 0, 0, 1, 0x64]), // AVC sequence header, keyframe
  tag(8, 0, [0xaf, 0, 0x11, 0x90]), // AAC sequence header
  tag(9, 33, [0x17, 1, 0, 0, 0, 0xaa]), // AVC keyframe NALU
  tag(8, 21, [0xaf, 1, 0xde, 0xad]), // AAC raw
  tag(9, 0x01020304, [0x27, 1, 0, 0, 0]), // AVC inter frame with an extended timestamp
]);

describe('FlvReader', () => {
  it('parses the header and every tag field', () => {
    const r = new FlvReader();
    r.push(stream);
    expect(r.failed).toBeNull();
    expect(r.header).toEqual({ version: 1, hasAudio: true, hasVideo: true });
    expect(r.tags.map((t) => t.type)).toEqual([18, 9, 8, 9, 8, 9]);
    expect(r.tags[1]).toMatchObject({ frameType: 1, codecId: 7, avcPacketType: 0, size: 7 });
    expect(r.tags[2]).toMatchObject({ soundFormat: 10, aacPacketType: 0 });
    expect(r.tags[3]).toMatchObject({ timestamp: 33, frameType: 1, avcPacketType: 1 });
    expect(r.tags[4]).toMatchObject({ timestamp: 21, soundFormat: 10, aacPacketType: 1 });
    expect(r.tags[5]).toMatchObject({ timestamp: 0x01020304, frameType: 2, avcPacketType: 1 });
  });

  it('gives the same result for any chunking, down to single bytes', () => {
    for (const step of [1, 3, 7, 16, 50]) {
      const r = new FlvReader({ keepData: true });
      for (let i = 0; i < stream.length; i += step) r.push(stream.subarray(i, i + step));
      expect(r.failed).toBeNull();
      expect(r.tags).toHaveLength(6);
      expect(r.tags[3]!.data).toEqual(Buffer.from([0x17, 1, 0, 0, 0, 0xaa]));
      expect(r.bytes).toBe(stream.length);
    }
  });

  it('reports a broken PreviousTagSize and a wrong signature', () => {
    const bad = Buffer.from(stream);
    bad.writeUInt32BE(999, 13 + 11 + 13); // the metadata tag's PreviousTagSize
    const r = new FlvReader();
    r.push(bad);
    expect(r.failed?.message).toMatch(/PreviousTagSize/);

    const notFlv = new FlvReader();
    notFlv.push(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    expect(notFlv.failed?.message).toMatch(/signature/);
  });
});
