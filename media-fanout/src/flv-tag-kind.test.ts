import { describe, expect, it } from 'vitest';
import { TagKind, flvTagKind, flvTimestamp } from './flv-tag-kind.js';

/** An FLV tag with the given type, first body byte and second body byte. */
const tag = (type: number, head: number, packet: number) => {
  const b = Buffer.alloc(40);
  b[0] = type;
  b[11] = head;
  b[12] = packet;
  return b;
};

describe('flvTagKind', () => {
  it('tells AVC keyframes from inter frames', () => {
    expect(flvTagKind(tag(9, 0x17, 1))).toBe(TagKind.KeyFrame);
    expect(flvTagKind(tag(9, 0x27, 1))).toBe(TagKind.InterFrame);
  });

  it('never lets a sequence header, end of sequence, audio, metadata or a stub be skipped', () => {
    expect(flvTagKind(tag(9, 0x17, 0))).toBe(TagKind.Always);
    expect(flvTagKind(tag(9, 0x17, 2))).toBe(TagKind.Always);
    expect(flvTagKind(tag(8, 0xaf, 1))).toBe(TagKind.Always);
    expect(flvTagKind(tag(18, 0x02, 0))).toBe(TagKind.Always);
    expect(flvTagKind(Buffer.from([9, 0, 0]))).toBe(TagKind.Always);
  });
});

describe('flvTimestamp', () => {
  it('reads the 24 low bits and the extended byte, unsigned', () => {
    const tag = Buffer.alloc(16);
    tag.writeUIntBE(0x123456, 4, 3);
    expect(flvTimestamp(tag)).toBe(0x123456);
    tag[7] = 0x01;
    expect(flvTimestamp(tag)).toBe(0x01123456);
    tag[7] = 0xff; // past 2^31: still positive
    expect(flvTimestamp(tag)).toBe(0xff123456);
  });
});
