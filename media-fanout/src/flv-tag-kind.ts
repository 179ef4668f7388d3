import { FLV } from '@boxroom/contracts';

export { FLV };

/** What a viewer that has fallen behind may go without: see StreamFanout. */
export const TagKind = {
  /** metadata, sequence headers, end of sequence, audio: always sent */
  Always: 0,
  /** a video frame that needs the ones before it */
  InterFrame: 1,
  /** a video frame a decoder can start from */
  KeyFrame: 2,
} as const;
export type TagKind = (typeof TagKind)[keyof typeof TagKind];

/** The kind of one complete FLV tag (11-byte header first), read from its first bytes. */
export function flvTagKind(tag: Buffer): TagKind {
  if (tag.length < 13) return TagKind.Always;
  if ((tag[0]! & 0x1f) !== FLV.VIDEO_TAG) return TagKind.Always;
  const head = tag[11]!;
  // AVC: only NAL units are frames (not the sequence header or the end of sequence)
  if ((head & 0x0f) === FLV.AVC && tag[12] !== FLV.AVC_NALU) return TagKind.Always;
  return head >> 4 === FLV.KEY_FRAME ? TagKind.KeyFrame : TagKind.InterFrame;
}

/** A complete FLV tag's timestamp, ms: 24 bits at byte 4 and the extended (high) byte at 7, unsigned. */
export function flvTimestamp(tag: Buffer): number {
  return (tag.readUIntBE(4, 3) | (tag[7]! << 24)) >>> 0;
}
