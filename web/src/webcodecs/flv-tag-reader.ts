/**
 * FLV tag types and codec values, as in media-fanout's FLV table (that one reads Node Buffers; this
 * reader runs in the page on Uint8Arrays).
 */
export const FLV = {
  AUDIO_TAG: 8,
  VIDEO_TAG: 9,
  SCRIPT_TAG: 18,
  /** SoundFormat (audio tag, high nibble of the body's first byte) */
  AAC: 10,
  /** CodecID (video tag, low nibble of the body's first byte) */
  AVC: 7,
  /** AACPacketType / AVCPacketType (the body's second byte) */
  SEQUENCE_HEADER: 0,
  AVC_NALU: 1,
  /** FrameType (video tag, high nibble of the body's first byte) */
  KEY_FRAME: 1,
} as const;

export interface FlvTag {
  /** 8 audio, 9 video, 18 script */
  type: number;
  /** the tag's timestamp, ms (24 bits and the extended high byte) */
  timestampMs: number;
  /** the tag's body (after the 11-byte header), a view into the reader's bytes */
  body: Uint8Array;
}

const HEADER_BYTES = 9;
const TAG_HEADER_BYTES = 11;
const PREVIOUS_SIZE_BYTES = 4;
/** A tag body larger than this is a broken stream, not a frame (a 4K keyframe is a few MB at most). */
const MAX_TAG_BYTES = 32 << 20;

export class FlvFormatError extends Error {}

/**
 * Reads FLV as it arrives, in pieces of any size (HTTP chunks, WebSocket messages): the file header,
 * then each complete tag once its last byte is there. The bytes of a tag are only kept until it is
 * returned; a caller that keeps a body past the next push must copy it.
 */
export class FlvTagReader {
  private buf = new Uint8Array(0);
  private used = 0;
  private headerRead = false;

  /** Adds `bytes` and returns the tags they complete, in stream order. */
  push(bytes: Uint8Array): FlvTag[] {
    this.append(bytes);
    const tags: FlvTag[] = [];
    let at = 0;
    if (!this.headerRead) {
      if (this.used < HEADER_BYTES + PREVIOUS_SIZE_BYTES) return tags;
      const b = this.buf;
      if (b[0] !== 0x46 || b[1] !== 0x4c || b[2] !== 0x56) throw new FlvFormatError('not an FLV stream');
      const dataOffset = ((b[5]! << 24) | (b[6]! << 16) | (b[7]! << 8) | b[8]!) >>> 0;
      if (dataOffset < HEADER_BYTES) throw new FlvFormatError('bad FLV header');
      if (this.used < dataOffset + PREVIOUS_SIZE_BYTES) return tags;
      at = dataOffset + PREVIOUS_SIZE_BYTES;
      this.headerRead = true;
    }
    for (;;) {
      if (this.used - at < TAG_HEADER_BYTES) break;
      const b = this.buf;
      const size = (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
      if (size > MAX_TAG_BYTES) throw new FlvFormatError(`an FLV tag of ${size} bytes`);
      const end = at + TAG_HEADER_BYTES + size + PREVIOUS_SIZE_BYTES;
      if (this.used < end) break;
      tags.push({
        type: b[at]! & 0x1f,
        timestampMs: ((b[at + 4]! << 16) | (b[at + 5]! << 8) | b[at + 6]! | (b[at + 7]! << 24)) >>> 0,
        body: b.subarray(at + TAG_HEADER_BYTES, at + TAG_HEADER_BYTES + size),
      });
      at = end;
    }
    this.consume(at);
    return tags;
  }

  private append(bytes: Uint8Array): void {
    if (this.used + bytes.length > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, this.used + bytes.length, 64 << 10));
      next.set(this.buf.subarray(0, this.used));
      this.buf = next;
    }
    this.buf.set(bytes, this.used);
    this.used += bytes.length;
  }

  /**
   * Drops the first `n` bytes. The returned bodies view the old bytes, so the rest is moved into a new
   * buffer rather than copied over them.
   */
  private consume(n: number): void {
    if (n === 0) return;
    const rest = this.buf.subarray(n, this.used);
    const next = new Uint8Array(Math.max(rest.length, 64 << 10));
    next.set(rest);
    this.buf = next;
    this.used = rest.length;
  }
}
