/** FLV bytes for tests of the recorder: a header and tags built by hand (no encoder needed). */

export const FLV_HEADER = Buffer.from([0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 9, 0, 0, 0, 0]);

/** One FLV tag of `type` at `ts` ms with `data`, its PreviousTagSize after it. */
export function flvTag(type: number, ts: number, data: number[]): Buffer {
  const body = Buffer.from(data);
  const h = Buffer.alloc(11);
  h[0] = type;
  h.writeUIntBE(body.length, 1, 3);
  h.writeUIntBE(ts & 0xffffff, 4, 3);
  h[7] = (ts >>> 24) & 0xff;
  const prev = Buffer.alloc(4);
  prev.writeUInt32BE(11 + body.length);
  return Buffer.concat([h, body, prev]);
}

export const flvMeta = (): Buffer => flvTag(18, 0, [2, 0, 1, 0x61]);
export const flvVideoSeq = (v = 1): Buffer => flvTag(9, 0, [0x17, 0, 0, 0, 0, v]);
export const flvAudioSeq = (): Buffer => flvTag(8, 0, [0xaf, 0, 0x12, 0x10]);
export const flvKeyframe = (ts: number): Buffer => flvTag(9, ts, [0x17, 1, 0, 0, 0, 0xaa]);
export const flvInterframe = (ts: number): Buffer => flvTag(9, ts, [0x27, 1, 0, 0, 0, 0xbb]);
export const flvAudio = (ts: number): Buffer => flvTag(8, ts, [0xaf, 1, 0xcc]);

/** A connection's join burst: header, metadata, sequence headers, then the GOP cache. */
export const flvJoin = (...gop: Buffer[]): Buffer =>
  Buffer.concat([FLV_HEADER, flvMeta(), flvVideoSeq(), flvAudioSeq(), ...gop]);
