/**
 * Turns the room's live FLV, read over one or more connections, into parts a recorder's ffmpeg can
 * copy without a second encode. Pure: bytes in, decisions out (tested without a room).
 *
 * - A reconnection (the recorder's agent token ran out, the agent restarted its media server) sends
 *   the FLV header, metadata, sequence headers and the GOP cache again: what was written already is
 *   skipped by timestamp, so one part goes on without a seam while the new connection overlaps.
 * - New sequence headers (the room's size or the encoder's parameters changed) or a timeline that
 *   starts over end the part: the next begins at a keyframe with the new headers (a new init segment).
 * - A part always starts at a video keyframe, so its first segment decodes on its own.
 */

import { FLV, flvTimestamp } from '@boxroom/media-fanout';

const FLV_HEADER_BYTES = 9;
const PREV_TAG_SIZE_BYTES = 4;
const TAG_HEADER_BYTES = 11;
const { AUDIO_TAG: TAG_AUDIO, VIDEO_TAG: TAG_VIDEO, SCRIPT_TAG: TAG_SCRIPT } = FLV;
/** A new connection whose first media tag is this far behind what was written: a new timeline. */
const TIMELINE_RESTART_MS = 5_000;
/** Tags are small; a larger one is a corrupt stream (the connection is dropped and retried). */
const MAX_TAG_BYTES = 16 * 1024 * 1024;

export interface FlvTag {
  type: number;
  /** ms, 32 bits (the extended byte included) */
  ts: number;
  /** the whole tag: header, data and its trailing PreviousTagSize */
  bytes: Buffer;
  /** data only (after the 11-byte header) */
  data: Buffer;
}

export type SpliceOutput =
  /** start a new part: write `prelude` (header, metadata, sequence headers) first, then the tags */
  | { kind: 'begin'; prelude: Buffer[]; ts: number; reason: PartReason }
  | { kind: 'tag'; tag: FlvTag }
  /** the current part is over (its ffmpeg should finish); a `begin` follows at the next keyframe */
  | { kind: 'end'; reason: PartReason };

/** Why a part began or ended. */
export type PartReason = 'start' | 'stream-changed' | 'timeline-restarted' | 'resumed';

/**
 * Cuts a byte stream into FLV tags across chunk boundaries. The chunks of an incomplete tag wait
 * in a list (a hostile room may send tags of up to 16 MiB in small chunks: concatenating the whole
 * leftover at every chunk would copy quadratically); a tag is concatenated once when it is
 * complete, and a tag inside one chunk is a view of it (the caller copies what it retains).
 */
export class FlvTagReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private headerLeft = true;
  header: Buffer | null = null;

  /** Tags completed by this chunk; throws on a stream that is not FLV. */
  push(chunk: Buffer): FlvTag[] {
    if (chunk.length > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
    }
    const out: FlvTag[] = [];
    if (this.headerLeft) {
      if (this.pendingBytes < FLV_HEADER_BYTES + PREV_TAG_SIZE_BYTES) return out;
      const head = this.peek(FLV_HEADER_BYTES);
      if (head.toString('latin1', 0, 3) !== 'FLV') throw new Error('not an FLV stream');
      const size = head.readUInt32BE(5) + PREV_TAG_SIZE_BYTES;
      if (size > MAX_TAG_BYTES) throw new Error(`FLV header of ${size} bytes`);
      if (this.pendingBytes < size) return out;
      this.header = Buffer.from(this.take(size));
      this.headerLeft = false;
    }
    while (this.pendingBytes >= TAG_HEADER_BYTES) {
      const dataSize = this.peek(TAG_HEADER_BYTES).readUIntBE(1, 3);
      if (dataSize > MAX_TAG_BYTES) throw new Error(`FLV tag of ${dataSize} bytes`);
      const total = TAG_HEADER_BYTES + dataSize + PREV_TAG_SIZE_BYTES;
      if (this.pendingBytes < total) break;
      const bytes = this.take(total);
      out.push({
        type: bytes[0]! & 0x1f,
        ts: flvTimestamp(bytes),
        bytes,
        data: bytes.subarray(TAG_HEADER_BYTES, TAG_HEADER_BYTES + dataSize),
      });
    }
    return out;
  }

  /** The first `n` pending bytes (n <= pendingBytes), copied only when they span chunks. */
  private peek(n: number): Buffer {
    const first = this.pending[0]!;
    if (first.length >= n) return first.subarray(0, n);
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    for (const c of this.pending) {
      at += c.copy(out, at, 0, Math.min(c.length, n - at));
      if (at === n) break;
    }
    return out;
  }

  /** Removes the first `n` pending bytes (n <= pendingBytes): a view of one chunk, or one concat. */
  private take(n: number): Buffer {
    this.pendingBytes -= n;
    const first = this.pending[0]!;
    if (first.length >= n) {
      if (first.length === n) this.pending.shift();
      else this.pending[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const parts: Buffer[] = [];
    let left = n;
    while (left > 0) {
      const c = this.pending[0]!;
      if (c.length <= left) {
        parts.push(c);
        this.pending.shift();
        left -= c.length;
      } else {
        parts.push(c.subarray(0, left));
        this.pending[0] = c.subarray(left);
        left = 0;
      }
    }
    return Buffer.concat(parts, n);
  }
}

export const isVideo = (t: FlvTag): boolean => t.type === TAG_VIDEO;
export const isAudio = (t: FlvTag): boolean => t.type === TAG_AUDIO;
/** AVC sequence header (packet type 0) or AAC sequence header (packet type 0). */
export const isSequenceHeader = (t: FlvTag): boolean =>
  (t.type === TAG_VIDEO || t.type === TAG_AUDIO) && t.data.length > 1 && t.data[1] === 0;
export const isKeyframe = (t: FlvTag): boolean =>
  t.type === TAG_VIDEO && t.data.length > 1 && t.data[0]! >> 4 === 1 && t.data[1] === 1;

/**
 * The splice across connections and parts. Call `connected()` at each new connection, then
 * `push(chunk)` with its bytes; apply the outputs in order.
 */
export class FlvSplice {
  private reader = new FlvTagReader();
  private header: Buffer | null = null;
  private metadata: Buffer | null = null;
  private videoSeq: FlvTag | null = null;
  private audioSeq: FlvTag | null = null;
  private lastVideoTs = -1;
  private lastAudioTs = -1;
  private open = false;
  /** the reason the next part begins with */
  private nextReason: PartReason = 'start';
  /** on a new connection: still inside what was written before */
  private catchingUp = false;
  private firstMediaOfConnection = true;
  /** the new connection showed the last written video tag again: the next ones follow it seamlessly */
  private contiguous = false;

  /** A new connection starts; `resumed`: the recorder restarted, the first part it writes is new. */
  connected(resumed = false): void {
    this.reader = new FlvTagReader();
    this.catchingUp = this.lastVideoTs >= 0;
    this.firstMediaOfConnection = true;
    this.contiguous = false;
    if (resumed) this.nextReason = 'resumed';
  }

  /** The current part's ffmpeg went away: the next keyframe begins a new part. */
  partLost(): void {
    this.open = false;
    this.nextReason = 'resumed';
  }

  get partOpen(): boolean {
    return this.open;
  }

  push(chunk: Buffer): SpliceOutput[] {
    const out: SpliceOutput[] = [];
    for (const tag of this.reader.push(chunk)) this.onTag(tag, out);
    this.header ??= this.reader.header;
    return out;
  }

  private onTag(tag: FlvTag, out: SpliceOutput[]): void {
    this.header ??= this.reader.header;
    if (tag.type === TAG_SCRIPT) {
      // kept for every later part: a copy, not a view holding the whole chunk
      this.metadata = Buffer.from(tag.bytes);
      return;
    }
    if (!isVideo(tag) && !isAudio(tag)) return;
    if (isSequenceHeader(tag)) {
      const known = isVideo(tag) ? this.videoSeq : this.audioSeq;
      if (known && known.data.equals(tag.data)) return;
      const kept = retained(tag);
      if (isVideo(tag)) this.videoSeq = kept;
      else this.audioSeq = kept;
      if (known && this.open) this.end('stream-changed', out);
      return;
    }
    if (this.firstMediaOfConnection) {
      this.firstMediaOfConnection = false;
      const last = Math.max(this.lastVideoTs, this.lastAudioTs);
      if (last >= 0 && tag.ts + TIMELINE_RESTART_MS < last) {
        // The agent's media server started over (timestamps from 0): a new part, a new timeline.
        if (this.open) this.end('timeline-restarted', out);
        this.lastVideoTs = -1;
        this.lastAudioTs = -1;
        this.catchingUp = false;
      }
    }
    if (this.written(tag)) return;
    if (!this.open) {
      if (!isKeyframe(tag) || !this.videoSeq) return;
      this.begin(tag, out);
    }
    if (isVideo(tag)) this.lastVideoTs = tag.ts;
    else this.lastAudioTs = tag.ts;
    out.push({ kind: 'tag', tag });
  }

  /**
   * true: drop this tag. Timestamps only go forward (a reconnection repeats the GOP cache); after a
   * reconnection the first new video tag follows seamlessly only when the connection showed our last
   * frame again, else the part goes on from the next keyframe.
   */
  private written(tag: FlvTag): boolean {
    if (isAudio(tag)) return tag.ts <= this.lastAudioTs;
    if (tag.ts < this.lastVideoTs) return true;
    if (tag.ts === this.lastVideoTs) {
      if (this.catchingUp) this.contiguous = true;
      return true;
    }
    if (this.catchingUp) {
      if (!this.contiguous && !isKeyframe(tag) && this.open) return true;
      this.catchingUp = false;
    }
    return false;
  }

  private begin(keyframe: FlvTag, out: SpliceOutput[]): void {
    const prelude = [this.header, this.metadata, this.videoSeq?.bytes, this.audioSeq?.bytes].filter(
      (b): b is Buffer => b !== null && b !== undefined,
    );
    this.open = true;
    out.push({ kind: 'begin', prelude, ts: keyframe.ts, reason: this.nextReason });
    this.nextReason = 'start';
  }

  private end(reason: PartReason, out: SpliceOutput[]): void {
    this.open = false;
    this.nextReason = reason;
    out.push({ kind: 'end', reason });
  }
}

/** A copy of a tag the splice keeps (sequence headers): the reader hands out views of chunks. */
function retained(tag: FlvTag): FlvTag {
  const bytes = Buffer.from(tag.bytes);
  return { ...tag, bytes, data: bytes.subarray(TAG_HEADER_BYTES, bytes.length - PREV_TAG_SIZE_BYTES) };
}
