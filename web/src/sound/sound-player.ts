import { audioPacket } from '../webcodecs/flv-codec-packets.js';
import { SoundClock } from './sound-clock.js';

/** Where a stream's FLV audio tag bodies go (the sound feed hands them on). */
export interface SoundSink {
  push(body: Uint8Array, timestampMs: number): void;
}

export interface SoundEvents {
  /** this browser cannot decode the stream's sound: play it another way */
  unsupported(why: string): void;
}

/** What the Web Audio sound path reports (the latency readout, the bench). */
export interface SoundStats {
  framesPlayed: number;
  /** frames that came too late and moved the sound later (see SoundClock) */
  late: number;
  /** frames left out: behind, or skipped when the buffer shrank */
  dropped: number;
  /** how far ahead of the context's clock the last frame was scheduled, ms */
  leadMs: number;
  /** the context's own output latency (device and mixing), ms, when the browser tells it */
  outputLatencyMs: number;
}

/** Whether this page can play sound through Web Audio: AudioDecoder (a secure context) and AudioContext. */
export function webAudioSoundCapable(g: object = globalThis): boolean {
  return 'AudioDecoder' in g && 'EncodedAudioChunk' in g && 'AudioContext' in g;
}

/**
 * The stream's sound without the media element: AAC frames decoded by AudioDecoder and each one
 * scheduled on an AudioContext as an AudioBufferSourceNode, at the time SoundClock gives it. A media
 * element's audio track is a buffer the element plays by (Chromium underflows below ~150 ms of it, so
 * the MSE player kept 250 ms of sound and the picture with it); here the picture plays video-only at its
 * own live edge and the sound follows the stream's timestamps a few tens of ms behind its arrival.
 *
 * Made in a user gesture (an AudioContext started without one stays suspended; it resumes on the next
 * click or key). Frames that come while it is suspended are not played (no sound piles up).
 */
export class SoundPlayer implements SoundSink {
  readonly stats: SoundStats = { framesPlayed: 0, late: 0, dropped: 0, leadMs: 0, outputLatencyMs: 0 };
  private readonly ctx: AudioContext;
  private readonly gain: GainNode;
  private readonly clock = new SoundClock();
  private decoder: AudioDecoder | null = null;
  private config = '';
  private decoderConfig: AudioDecoderConfig | null = null;
  private closed = false;
  private readonly resumeOnGesture = () => void this.ctx.resume().catch(() => {});

  constructor(private readonly on: SoundEvents) {
    this.ctx = new AudioContext({ latencyHint: 'interactive' });
    this.gain = this.ctx.createGain();
    this.gain.connect(this.ctx.destination);
    if (this.ctx.state !== 'running') {
      this.resumeOnGesture();
      for (const type of ['pointerdown', 'keydown']) addEventListener(type, this.resumeOnGesture, true);
    }
  }

  /** Volume 0..1; muted plays nothing (the element's `muted` and `volume`, for this path). */
  setVolume(volume: number, muted: boolean): void {
    this.gain.gain.value = muted ? 0 : volume;
  }

  push(body: Uint8Array, timestampMs: number): void {
    if (this.closed) return;
    let p: ReturnType<typeof audioPacket>;
    try {
      p = audioPacket(body);
    } catch (e) {
      this.refuse(e instanceof Error ? e.message : String(e));
      return;
    }
    if (p.kind === 'config') {
      const key = `${p.codec}:${p.description.join(',')}`;
      if (key === this.config) return;
      this.config = key;
      this.decoderConfig = {
        codec: p.codec,
        sampleRate: p.sampleRate,
        numberOfChannels: p.numberOfChannels,
        description: p.description.slice(),
      };
      this.configure();
      return;
    }
    if (p.kind !== 'frame' || this.decoder?.state !== 'configured' || this.ctx.state !== 'running') return;
    // EncodedAudioChunk copies `data` (a view into the player's chunk)
    this.decoder.decode(new EncodedAudioChunk({ type: 'key', timestamp: timestampMs * 1000, data: p.data }));
  }

  private configure(): void {
    if (!this.decoderConfig) return;
    this.decoder ??= new AudioDecoder({
      output: (data) => this.play(data),
      error: (e) => this.decoderFailed(e),
    });
    try {
      this.decoder.configure(this.decoderConfig);
    } catch (e) {
      this.refuse(e instanceof Error ? e.message : String(e));
    }
  }

  /** A codec it cannot decode: refused; a frame it could not decode closed it: a new one goes on. */
  private decoderFailed(e: DOMException): void {
    if (e.name === 'NotSupportedError') {
      this.refuse(`${e.name}: ${e.message}`);
      return;
    }
    this.decoder = null;
    this.configure();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const type of ['pointerdown', 'keydown']) removeEventListener(type, this.resumeOnGesture, true);
    if (this.decoder && this.decoder.state !== 'closed') this.decoder.close();
    void this.ctx.close().catch(() => {});
  }

  private play(data: AudioData): void {
    try {
      if (this.closed || this.ctx.state !== 'running') return;
      const now = this.ctx.currentTime;
      const at = this.clock.place(data.timestamp / 1e6, data.numberOfFrames / data.sampleRate, now);
      this.stats.late = this.clock.late;
      this.stats.dropped = this.clock.dropped;
      this.stats.leadMs = Math.round(this.clock.leadS * 1000);
      this.stats.outputLatencyMs = Math.round((this.ctx.outputLatency || 0) * 1000);
      if (at === null) return;
      const buffer = this.ctx.createBuffer(data.numberOfChannels, data.numberOfFrames, data.sampleRate);
      for (let ch = 0; ch < data.numberOfChannels; ch++)
        data.copyTo(buffer.getChannelData(ch), { planeIndex: ch, format: 'f32-planar' });
      const source = this.ctx.createBufferSource();
      source.buffer = buffer;
      source.connect(this.gain);
      source.start(at);
      this.stats.framesPlayed += 1;
    } finally {
      data.close();
    }
  }

  private refuse(why: string): void {
    if (this.closed) return;
    this.close();
    this.on.unsupported(why);
  }
}
