/**
 * A live FLV stream as seen by the fan-out: every buffer is one complete FLV unit (the 13-byte file
 * header, or a tag with its trailing PreviousTagSize), shared by all readers and never mutated.
 */
export interface FlvTagSource {
  /** What a joining viewer needs before live tags, in order: FLV header, metadata, AAC and AVC
   *  sequence headers, then the GOP cache (starting at the last keyframe). */
  forEachJoinBuffer(fn: (buf: Buffer) => void): void;
  /**
   * Whether the join buffers end in a GOP from its keyframe (absent: they do). When not (a relay's
   * cache that lost its GOP), a joining viewer goes without video frames until the next keyframe,
   * so its decoder starts at one.
   */
  joinStartsAtKeyframe?(): boolean;
  /** The one consumer of live tags (the fan-out); null detaches it. */
  setTagListener(fn: ((tag: Buffer) => void) | null): void;
}
