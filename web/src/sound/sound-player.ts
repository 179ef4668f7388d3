import { AacTagDecoder } from '../webcodecs/aac-tag-decoder.js';
import { isAacSequenceHeader } from '../webcodecs/flv-codec-packets.js';
import { DEFAULT_SOUND_CLOCK, SoundClock } from './sound-clock.js';

/** Where a stream's FLV audio tag bodies go (the sound feed hands them on). */
export interface SoundSink {
  push(body: Uint8Array, timestampMs: number): void;
}

export interface SoundEvents {
  /** this browser cannot play the stream's sound this way: play it another way (called asynchronously) */
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
}

/** Whether this page can play sound through Web Audio: AudioDecoder (a secure context) and AudioContext. */
export function webAudioSoundCapable(g: object = globalThis): boolean {
  return 'AudioDecoder' in g && 'EncodedAudioChunk' in g && 'AudioContext' in g;
}

/** The room's sound is AAC at 48 kHz: a context at that rate resamples nothing (or once, at the output). */
const STREAM_RATE = 48_000;
const GESTURES = ['pointerdown', 'keydown'] as const;

/**
 * The stream's sound without the media element: AAC frames decoded by AudioDecoder and each one
 * scheduled on an AudioContext as an AudioBufferSourceNode, at the time SoundClock gives it. A media
 * element's audio track is a buffer the element plays by (Chromium underflows below ~150 ms of it, so
 * the MSE player kept 250 ms of sound and the picture with it); here the picture plays video-only at its
 * own live edge and the sound follows the stream's timestamps a few tens of ms behind its arrival.
 *
 * Made in a user gesture (an AudioContext started without one stays suspended; while it is not running
 * the next click or key resumes it). Frames that come while it is not running are not played (no sound
 * piles up), and the clock starts afresh when it runs again.
 */
export class SoundPlayer implements SoundSink {
  readonly stats: SoundStats = { framesPlayed: 0, late: 0, dropped: 0, leadMs: 0 };
  private readonly ctx: AudioContext;
  private readonly gain: GainNode;
  private readonly clock: SoundClock;
  private readonly decoder = new AacTagDecoder({
    output: (data) => this.play(data),
    refused: (why) => this.refuse(why),
  });
  private gainValue = 1;
  private listening = false;
  private closed = false;
  private readonly resumeOnGesture = () => void this.ctx.resume().catch(() => {});

  /** Throws where an AudioContext cannot be made (the caller plays the sound another way). */
  constructor(private readonly on: SoundEvents) {
    this.ctx = new AudioContext({ latencyHint: 'interactive', sampleRate: STREAM_RATE });
    // the audio thread renders a block of baseLatency at a time: a start less than that ahead of
    // currentTime may already be behind it, and would start late over the next frame
    const block = this.ctx.baseLatency || 0;
    this.clock = new SoundClock({
      ...DEFAULT_SOUND_CLOCK,
      marginS: Math.max(DEFAULT_SOUND_CLOCK.marginS, block),
      reserveS: DEFAULT_SOUND_CLOCK.reserveS + block,
    });
    this.gain = this.ctx.createGain();
    this.gain.connect(this.ctx.destination);
    this.ctx.onstatechange = () => this.stateChanged();
    this.stateChanged();
  }

  /** Volume 0..1; muted plays nothing (the element's `muted` and `volume`, for this path). */
  setVolume(volume: number, muted: boolean): void {
    const v = muted ? 0 : volume;
    if (v === this.gainValue) return;
    this.gainValue = v;
    // a short ramp: a step in the middle of a waveform clicks
    this.gain.gain.setTargetAtTime(v, this.ctx.currentTime, 0.01);
  }

  push(body: Uint8Array, timestampMs: number): void {
    // the config always (it comes once); frames only while the context runs (no sound piles up)
    if (this.closed || (this.ctx.state !== 'running' && !isAacSequenceHeader(body))) return;
    this.decoder.push(body, timestampMs);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.listen(false);
    this.ctx.onstatechange = null;
    this.decoder.close();
    void this.ctx.close().catch(() => {});
  }

  /** Running: the clock starts afresh (time stood still meanwhile); not running: a gesture resumes it. */
  private stateChanged(): void {
    if (this.closed) return;
    const running = this.ctx.state === 'running';
    if (running) this.clock.restart();
    else this.resumeOnGesture();
    this.listen(!running);
  }

  private listen(on: boolean): void {
    if (on === this.listening) return;
    this.listening = on;
    for (const type of GESTURES)
      if (on) addEventListener(type, this.resumeOnGesture, true);
      else removeEventListener(type, this.resumeOnGesture, true);
  }

  private play(data: AudioData): void {
    try {
      if (this.closed || this.ctx.state !== 'running' || data.numberOfFrames === 0) return;
      const now = this.ctx.currentTime;
      const at = this.clock.place(data.timestamp / 1e6, data.numberOfFrames / data.sampleRate, now);
      this.stats.late = this.clock.late;
      this.stats.dropped = this.clock.dropped;
      this.stats.leadMs = Math.round(this.clock.leadS * 1000);
      if (at === null) return;
      // one buffer and one source node per 21 ms frame: what Web Audio schedules with
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

  /** Closes the player and says so once it is out of the call that found the problem. */
  private refuse(why: string): void {
    if (this.closed) return;
    this.close();
    queueMicrotask(() => this.on.unsupported(why));
  }
}
