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
/**
 * The smallest buffer the bytes are read into: a new one is made only when it is full (about every
 * second at a room's bit rates), not at each push (a WebSocket message, about one per frame).
 */
const MIN_BUFFER_BYTES = 1 << 20;

export class FlvFormatError extends Error {}

/**
 * Reads FLV as it arrives, in pieces of any size (HTTP chunks, WebSocket messages): the file header,
 * then each complete tag once its last byte is there. A returned body views the reader's buffer,
 * whose bytes are never written over: new bytes go after them, and when the buffer is full what is
 * not returned yet moves to a new one (the old one stays with the bodies that view it).
 */
export class FlvTagReader {
  private buf = new Uint8Array(0);
  /** where the bytes not returned yet start (the ones before are returned bodies' or dropped) */
  private start = 0;
  private used = 0;
  private headerRead = false;

  /** Adds `bytes` and returns the tags they complete, in stream order. */
  push(bytes: Uint8Array): FlvTag[] {
    this.append(bytes);
    const tags: FlvTag[] = [];
    let at = this.start;
    if (!this.headerRead) {
      if (this.used - at < HEADER_BYTES + PREVIOUS_SIZE_BYTES) return tags;
      const b = this.buf;
      if (b[at] !== 0x46 || b[at + 1] !== 0x4c || b[at + 2] !== 0x56)
        throw new FlvFormatError('not an FLV stream');
      const dataOffset = ((b[at + 5]! << 24) | (b[at + 6]! << 16) | (b[at + 7]! << 8) | b[at + 8]!) >>> 0;
      if (dataOffset < HEADER_BYTES) throw new FlvFormatError('bad FLV header');
      if (this.used - at < dataOffset + PREVIOUS_SIZE_BYTES) return tags;
      at += dataOffset + PREVIOUS_SIZE_BYTES;
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
    this.start = at;
    return tags;
  }

  private append(bytes: Uint8Array): void {
    if (this.used + bytes.length > this.buf.length) {
      const rest = this.buf.subarray(this.start, this.used);
      const next = new Uint8Array(Math.max(2 * (rest.length + bytes.length), MIN_BUFFER_BYTES));
      next.set(rest);
      this.buf = next;
      this.start = 0;
      this.used = rest.length;
    }
    this.buf.set(bytes, this.used);
    this.used += bytes.length;
  }
}
