import { FLV, TagKind, flvTagKind, type FlvTagSource } from '@boxroom/media-fanout';

const { AUDIO_TAG, VIDEO_TAG, SCRIPT_TAG, AAC, AVC, SEQUENCE_HEADER } = FLV;
/** "FLV": the 13-byte file header the agent sends first on every upstream */
const FLV_SIGNATURE = 0x464c56;

/**
 * The GOP a relay keeps for joiners, at most: above it (a long keyframe interval at a high bit rate)
 * the GOP is dropped and joiners wait for the next keyframe. Below the relay's per-viewer backlog
 * limit, which the join burst must fit under.
 */
export const RELAY_GOP_MAX_BYTES = 3 * 1024 * 1024;
/** and at most this many tags (audio included) */
export const RELAY_GOP_MAX_TAGS = 4096;

/**
 * A relay's view of its upstream's WS-FLV: every binary message is one FLV unit (the file header, or a
 * tag with its PreviousTagSize), exactly as the agent's fan-out sent it. push() keeps what a joining
 * viewer needs, as the agent's media server does (the header, the metadata, the AAC and AVC sequence
 * headers, the GOP since the last keyframe), then hands the same Buffer to the fan-out. Nothing is
 * copied: the cache holds the upstream's Buffers.
 */
export class FlvJoinCache implements FlvTagSource {
  private header: Buffer | null = null;
  private metadata: Buffer | null = null;
  private aacHeader: Buffer | null = null;
  private avcHeader: Buffer | null = null;
  private readonly gop: Buffer[] = [];
  private gopBytes = 0;
  /** the GOP starts at a keyframe (false before the first one, and after an overflow) */
  private gopComplete = false;
  private listener: ((tag: Buffer) => void) | null = null;

  /** One binary message of the upstream. */
  push(unit: Buffer): void {
    if (unit.length === 13 && unit.readUIntBE(0, 3) === FLV_SIGNATURE) {
      // the upstream's first message: a viewer has had its own already
      this.header = unit;
      return;
    }
    if (unit.length < 13) return;
    this.keep(unit);
    this.listener?.(unit);
  }

  forEachJoinBuffer(fn: (buf: Buffer) => void): void {
    if (!this.header) return;
    fn(this.header);
    if (this.metadata) fn(this.metadata);
    if (this.aacHeader) fn(this.aacHeader);
    if (this.avcHeader) fn(this.avcHeader);
    if (this.gopComplete) for (const tag of this.gop) fn(tag);
  }

  joinStartsAtKeyframe(): boolean {
    return this.gopComplete;
  }

  setTagListener(fn: ((tag: Buffer) => void) | null): void {
    this.listener = fn;
  }

  private keep(tag: Buffer): void {
    const type = tag[0]! & 0x1f;
    if (type === SCRIPT_TAG) {
      this.metadata = tag;
      return;
    }
    if (type === AUDIO_TAG && tag[11]! >> 4 === AAC && tag[12] === SEQUENCE_HEADER) {
      this.aacHeader = tag;
      return;
    }
    if (type === VIDEO_TAG && (tag[11]! & 0x0f) === AVC && tag[12] === SEQUENCE_HEADER) {
      // a new encoder start: frames before it do not decode with these parameter sets
      this.avcHeader = tag;
      this.dropGop(false);
      return;
    }
    const kind = flvTagKind(tag);
    if (kind === TagKind.KeyFrame) {
      this.dropGop(true);
    } else if (!this.gopComplete || (type !== VIDEO_TAG && type !== AUDIO_TAG)) {
      return;
    }
    if (this.gop.length >= RELAY_GOP_MAX_TAGS || this.gopBytes + tag.length > RELAY_GOP_MAX_BYTES) {
      this.dropGop(false);
      return;
    }
    this.gop.push(tag);
    this.gopBytes += tag.length;
  }

  private dropGop(startsNow: boolean): void {
    this.gop.length = 0;
    this.gopBytes = 0;
    this.gopComplete = startsNow;
  }
}
