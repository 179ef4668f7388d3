import type { PrefetchedStream } from '../core/stream-prefetch.js';
import { AacTagDecoder } from './aac-tag-decoder.js';
import { videoPacket } from './flv-codec-packets.js';
import { openFlvSource, type FlvSource } from './flv-source.js';
import { FLV } from '@boxroom/contracts';
import { FlvTagReader } from './flv-tag-reader.js';
import { trackGenerator, type TrackWriter } from './track-generator.js';

/**
 * More chunks than this waiting in the VideoDecoder means it falls behind the stream: frames are left
 * out until the next keyframe (decoding them late only adds latency). At 30 fps, half a second: a
 * keyframe's decode on a busy machine queues a few frames behind it for a moment, and with capture on
 * change the next keyframe can be seconds away, so only a decoder that is really behind drops.
 */
export const MAX_DECODE_QUEUE = 15;

export interface WebCodecsEvents {
  /** the stream's codec cannot be decoded here: play it another way */
  unsupported(why: string): void;
  error(why: string): void;
  ended(): void;
}

/** Where the player's sound goes: the element (its own audio track), and every audio tag to a listener. */
export interface WebCodecsSound {
  /** decode the sound and play it in the element's MediaStream */
  elementAudio: boolean;
  /** every audio tag's body (a view valid for the call) and timestamp: the Web Audio sound's feed */
  soundTag: ((body: Uint8Array, timestampMs: number) => void) | null;
}

export interface WebCodecsStats {
  framesDecoded: number;
  /** encoded frames left out (decoder behind, or waiting for a keyframe after that) */
  framesDropped: number;
  /** decoded frames not shown: a newer one came while the track was still taking the one before */
  framesSkipped: number;
}

/**
 * The stream without Media Source: FLV tags read here, H.264 decoded by VideoDecoder, each decoded
 * frame written to a MediaStreamTrackGenerator whose MediaStream is the <video>'s srcObject. Nothing is
 * buffered for playback: a frame is shown when it is decoded. Frames that come faster than they decode
 * are dropped up to the next keyframe. The sound goes to the Web Audio feed (web/src/sound/) or, for
 * the `element` sound path, is decoded by AudioDecoder into a second generated track, played as it
 * is decoded.
 */
export class WebCodecsPlayer {
  readonly stats: WebCodecsStats = { framesDecoded: 0, framesDropped: 0, framesSkipped: 0 };
  private readonly reader = new FlvTagReader();
  private source: FlvSource | null = null;
  private video: VideoDecoder | null = null;
  private audio: AacTagDecoder | null = null;
  private videoOut: TrackWriter<VideoFrame> | null = null;
  private audioOut: TrackWriter<AudioData> | null = null;
  private videoConfig = '';
  private waitKey = true;
  private closed = false;

  constructor(
    private readonly element: HTMLVideoElement,
    private readonly on: WebCodecsEvents,
    private readonly sound: WebCodecsSound,
  ) {}

  start(url: string, prefetched: PrefetchedStream | null): void {
    this.videoOut = trackGenerator('video');
    this.audioOut = this.sound.elementAudio ? trackGenerator('audio') : null;
    const tracks = [this.videoOut.track, ...(this.audioOut ? [this.audioOut.track] : [])];
    this.element.srcObject = new MediaStream(tracks);
    this.source = openFlvSource(
      url,
      {
        bytes: (b) => this.onBytes(b),
        ended: () => this.fail(() => this.on.ended()),
        error: (why) => this.fail(() => this.on.error(why)),
      },
      prefetched,
    );
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.source?.close();
    if (this.video && this.video.state !== 'closed') this.video.close();
    this.audio?.close();
    this.videoOut?.close();
    this.audioOut?.close();
    this.element.srcObject = null;
  }

  private fail(report: () => void): void {
    if (this.closed) return;
    this.destroy();
    report();
  }

  private onBytes(bytes: Uint8Array): void {
    if (this.closed) return;
    try {
      for (const tag of this.reader.push(bytes)) {
        if (tag.type === FLV.VIDEO_TAG) this.onVideoTag(tag.body, tag.timestampMs);
        else if (tag.type === FLV.AUDIO_TAG) {
          this.sound.soundTag?.(tag.body, tag.timestampMs);
          if (this.sound.elementAudio) this.onAudioTag(tag.body, tag.timestampMs);
        }
        if (this.closed) return;
      }
    } catch (e) {
      this.fail(() => this.on.error(e instanceof Error ? e.message : String(e)));
    }
  }

  private onVideoTag(body: Uint8Array, timestampMs: number): void {
    const p = videoPacket(body);
    if (p.kind === 'config') {
      const key = `${p.codec}:${p.description.join(',')}`;
      if (key === this.videoConfig) return;
      this.videoConfig = key;
      this.video ??= new VideoDecoder({
        output: (frame) => this.present(frame),
        error: (e) => this.decoderFailed(e),
      });
      // a new sequence header (another size after a resize) restarts at the next keyframe
      const config: VideoDecoderConfig = {
        codec: p.codec,
        description: p.description.slice(),
        optimizeForLatency: true,
        hardwareAcceleration: 'no-preference',
      };
      // a config it cannot take throws (TypeError); one it cannot decode fails in its error callback
      if (!this.configure(this.video, config)) return;
      this.waitKey = true;
      return;
    }
    if (p.kind !== 'frame' || !this.video || this.video.state !== 'configured') return;
    if (this.waitKey && !p.key) {
      this.stats.framesDropped += 1;
      return;
    }
    if (this.video.decodeQueueSize > MAX_DECODE_QUEUE) {
      this.stats.framesDropped += 1;
      this.waitKey = true;
      return;
    }
    this.waitKey = false;
    this.video.decode(
      new EncodedVideoChunk({
        type: p.key ? 'key' : 'delta',
        timestamp: (timestampMs + p.ctsMs) * 1000,
        data: p.data,
      }),
    );
  }

  private onAudioTag(body: Uint8Array, timestampMs: number): void {
    this.audio ??= new AacTagDecoder({
      output: (data) => this.audioOut?.write(data) ?? data.close(),
      // a sound it cannot decode leaves the picture playing (no reconnect loop, no MSE for that)
      refused: () => {},
    });
    this.audio.push(body, timestampMs);
  }

  private configure(decoder: VideoDecoder, config: VideoDecoderConfig): boolean {
    try {
      decoder.configure(config);
      return true;
    } catch (e) {
      this.fail(() => this.on.unsupported(e instanceof Error ? e.message : String(e)));
      return false;
    }
  }

  private present(frame: VideoFrame): void {
    if (this.closed || !this.videoOut) {
      frame.close();
      return;
    }
    this.stats.framesDecoded += 1;
    if (!this.videoOut.write(frame)) this.stats.framesSkipped += 1;
  }

  private decoderFailed(e: DOMException): void {
    const why = `${e.name}: ${e.message}`;
    this.fail(() => (e.name === 'NotSupportedError' ? this.on.unsupported(why) : this.on.error(why)));
  }
}
