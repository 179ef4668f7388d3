/** FLV bytes as ffmpeg's muxer writes them, for the media unit tests (no ffmpeg needed). */

/** One FLV tag with its PreviousTagSize. */
export function flvTag(type: number, ts: number, body: number[] | Buffer): Buffer {
  const data = Buffer.from(body);
  const t = Buffer.alloc(11 + data.length + 4);
  t[0] = type;
  t.writeUIntBE(data.length, 1, 3);
  t.writeUIntBE(ts & 0xffffff, 4, 3);
  t[7] = (ts >>> 24) & 0xff;
  data.copy(t, 11);
  t.writeUInt32BE(11 + data.length, 11 + data.length);
  return t;
}

/** The FLV header and the first PreviousTagSize; flags: 4 audio, 1 video. */
export const flvHeader = (flags: number): Buffer =>
  Buffer.from([0x46, 0x4c, 0x56, 1, flags, 0, 0, 0, 9, 0, 0, 0, 0]);

export const amfString = (s: string): Buffer =>
  Buffer.concat([Buffer.from([2, 0, s.length]), Buffer.from(s, 'latin1')]);

/** An onMetaData body as ffmpeg's FLV muxer writes it: an ECMA array of numbers, booleans, strings. */
export function ffmpegMetadata(fields: Record<string, number | boolean | string>): Buffer {
  const parts = [amfString('onMetaData'), Buffer.from([8, 0, 0, 0, Object.keys(fields).length])];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from([0, name.length]), Buffer.from(name, 'latin1'));
    if (typeof value === 'number') {
      const n = Buffer.alloc(9);
      n.writeDoubleBE(value, 1);
      parts.push(n);
    } else if (typeof value === 'boolean') parts.push(Buffer.from([1, value ? 1 : 0]));
    else parts.push(amfString(value));
  }
  parts.push(Buffer.from([0, 0, 9]));
  return Buffer.concat(parts);
}

export const avcHeader = (ts = 0): Buffer => flvTag(9, ts, [0x17, 0, 0, 0, 0, 1, 0x64, 0, 0x1f, 0xff]);
export const aacHeader = (ts = 0): Buffer => flvTag(8, ts, [0xaf, 0, 0x11, 0x90]);
export const keyframe = (ts: number): Buffer => flvTag(9, ts, [0x17, 1, 0, 0, 0, 0xaa, 0xbb]);
export const interframe = (ts: number): Buffer => flvTag(9, ts, [0x27, 1, 0, 0, 0, 0xcc]);
export const aacFrame = (ts: number): Buffer => flvTag(8, ts, [0xaf, 1, 0x21]);

export const tagTimestamp = (t: Buffer): number => t.readUIntBE(4, 3) | (t[7]! << 24);
