import { ENCODE_SECONDS_BUCKETS } from '@boxroom/contracts';
import { FixedHistogram } from './fixed-histogram.js';

const VIDEO_TAG = 9;
const AVC_CODEC = 7;
const AVC_NALU = 1;
/** Bit rate window: whole seconds, so a reading does not swing with the keyframe interval (1 s). */
const BITRATE_WINDOW_S = 4;
/**
 * How long one window of the encode-time baseline lasts: the baseline is the smallest delay seen in
 * this window and the previous one, so a clock adjustment ages out within two windows.
 */
const BASELINE_WINDOW_MS = 30_000;

/**
 * Counts what the encoder publishes, from the FLV tags the fan-out forwards (one call per tag, no
 * allocation): encoded video frames, bytes, the bit rate over the last whole seconds, and each
 * frame's encode time.
 *
 * Encode time: the encoder stamps each frame with its wall clock when the frame reaches it
 * (boxroom-capture just before it encodes; ffmpeg's x11grab when it grabs), on the stream's clock. So for every
 * frame `arrival - timestamp` is the time the stream started plus that frame's delay from encoder
 * input to the agent (encode, mux, pipe, parse). The stream's start is taken as the smallest
 * `arrival - timestamp` seen (the fastest frame), and each frame's delay above it is observed; a
 * new publish (encoder restart) or a timestamp that goes backwards starts a new baseline. The figure
 * is therefore the encode delay above the fastest frame's, which for x264 ultrafast is a few ms.
 */
export class StreamMeter {
  private frameCount = 0;
  private byteCount = 0;
  private readonly secondBytes = new Float64Array(BITRATE_WINDOW_S + 1);
  private readonly secondOf = new Float64Array(BITRATE_WINDOW_S + 1).fill(-1);
  readonly encodeSeconds = new FixedHistogram(ENCODE_SECONDS_BUCKETS);
  private baseline = Infinity;
  private previousBaseline = Infinity;
  private baselineSince = 0;
  private lastTimestamp = -1;

  constructor(private readonly now: () => number = Date.now) {}

  /** One complete FLV tag (11-byte header, body, PreviousTagSize), as the media server builds it. */
  tag(buf: Buffer): void {
    const now = this.now();
    this.byteCount += buf.length;
    this.addBytes(now, buf.length);
    if ((buf[0]! & 0x1f) !== VIDEO_TAG || buf.length < 13) return;
    // AVC: only NAL units are frames (not the sequence header or end of sequence)
    if ((buf[11]! & 0x0f) === AVC_CODEC && buf[12] !== AVC_NALU) return;
    this.frameCount += 1;
    const timestamp = ((buf[7]! << 24) | (buf[4]! << 16) | (buf[5]! << 8) | buf[6]!) >>> 0;
    this.observeDelay(now, timestamp);
  }

  /** The encoder (re)started publishing: its timestamps start over, so does the baseline. */
  published(): void {
    this.baseline = this.previousBaseline = Infinity;
    this.lastTimestamp = -1;
  }

  frames(): number {
    return this.frameCount;
  }

  bytes(): number {
    return this.byteCount;
  }

  /** Bits per second over the last BITRATE_WINDOW_S whole seconds (the current one excluded). */
  bitrate(): number {
    const current = Math.floor(this.now() / 1000);
    let sum = 0;
    for (let i = 0; i < this.secondOf.length; i++) {
      const s = this.secondOf[i]!;
      if (s < current && s >= current - BITRATE_WINDOW_S) sum += this.secondBytes[i]!;
    }
    return (sum * 8) / BITRATE_WINDOW_S;
  }

  private addBytes(now: number, n: number): void {
    const second = Math.floor(now / 1000);
    const slot = second % this.secondOf.length;
    if (this.secondOf[slot] !== second) {
      this.secondOf[slot] = second;
      this.secondBytes[slot] = 0;
    }
    this.secondBytes[slot]! += n;
  }

  private observeDelay(now: number, timestamp: number): void {
    if (timestamp < this.lastTimestamp) this.published();
    this.lastTimestamp = timestamp;
    if (now - this.baselineSince > BASELINE_WINDOW_MS) {
      this.previousBaseline = this.baseline;
      this.baseline = Infinity;
      this.baselineSince = now;
    }
    const start = now - timestamp;
    if (start < this.baseline) this.baseline = start;
    const floor = Math.min(this.baseline, this.previousBaseline);
    this.encodeSeconds.observe((start - floor) / 1000);
  }
}
