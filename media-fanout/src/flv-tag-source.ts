/**
 * A live FLV stream as seen by the fan-out: every buffer is one complete FLV unit (the 13-byte file
 * header, or a tag with its trailing PreviousTagSize), shared by all readers and never mutated.
 */
export interface FlvTagSource {
  /** What a joining viewer needs before live tags, in order: FLV header, metadata, AAC and AVC
   *  sequence headers, then the GOP cache (starting at the last keyframe). */
  forEachJoinBuffer(fn: (buf: Buffer) => void): void;
  /** The one consumer of live tags (the fan-out); null detaches it. */
  setTagListener(fn: ((tag: Buffer) => void) | null): void;
}
