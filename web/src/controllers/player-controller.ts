import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type MpegtsNs from 'mpegts.js';
import { Backoff } from '../core/backoff.js';
import { LiveEdgeController, bufferedEndAt } from '../core/live-edge-controller.js';
import { setLowLatencyRemux } from '../core/low-latency-remux.js';
import type { PlayerSettings } from '../core/settings.js';

type Player = MpegtsNs.Player;

export type PlayerPhase = 'idle' | 'waiting' | 'starting' | 'playing' | 'reconnecting' | 'failed';

export interface PlayerStats {
  framesPresented: number;
  /** buffered.end - currentTime on the last frame, ms */
  lagMs: number;
  /** its minimum over the controller's window */
  floorMs: number;
  playbackRate: number;
  seeks: number;
  width: number;
  height: number;
}

/** After this long without a presented frame while playing, the player is rebuilt. */
const STALL_RESTART_MS = 4000;
/** With an audio track, a playbackRate is kept at least this long (see setAudio). */
const AUDIO_RATE_HOLD_MS = 1000;
/** Repaint the host at most this often for stats. */
const STATS_UPDATE_MS = 250;

/**
 * Owns one mpegts.js player on the host's <video>: low-latency options, our live-edge controller on
 * every presented frame, a stall watchdog and rebuilds with backoff when the stream ends or errs.
 */
export class PlayerController implements ReactiveController {
  phase: PlayerPhase = 'idle';
  message = '';
  stats: PlayerStats = {
    framesPresented: 0,
    lagMs: 0,
    floorMs: 0,
    playbackRate: 1,
    seeks: 0,
    width: 0,
    height: 0,
  };

  private video: HTMLVideoElement | null = null;
  private player: Player | null = null;
  private url: (() => string) | null = null;
  private settings: PlayerSettings | null = null;
  private readonly edge = new LiveEdgeController();
  private readonly backoff = new Backoff(300, 5000);
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private frameHandle: number | null = null;
  private lastFrameAt = 0;
  private lastStatsAt = 0;
  private generation = 0;
  /** with an audio track (unmuted); while muted the stream is played video-only */
  private withAudio = false;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.stop();
  }

  /** Start (or restart) playback of `url()` on `video`; the url is asked again on every rebuild. */
  start(video: HTMLVideoElement, url: () => string, settings: PlayerSettings): void {
    this.video = video;
    this.url = url;
    this.settings = settings;
    this.edge.targetMs = settings.targetLatencyMs;
    setLowLatencyRemux(settings.lowLatencyRemux);
    this.backoff.reset();
    void this.build();
  }

  /**
   * Muted playback is video-only: no audio clock, so playbackRate changes cost nothing (with audio,
   * Chromium stalls up to ~250 ms per change) and the buffer is not held to the audio track's end.
   * Unmuting rebuilds the player once with audio and holds each rate for a second.
   */
  setAudio(on: boolean): void {
    if (on === this.withAudio) return;
    this.withAudio = on;
    this.edge.rateHoldMs = on ? AUDIO_RATE_HOLD_MS : 0;
    if (this.url && this.video && on) void this.build();
  }

  /** Change the target at once; transport changes rebuild the player. */
  applySettings(settings: PlayerSettings): void {
    const rebuild = this.settings?.transport !== settings.transport;
    this.settings = settings;
    this.edge.targetMs = settings.targetLatencyMs;
    setLowLatencyRemux(settings.lowLatencyRemux);
    if (!settings.liveEdge && this.video) this.video.playbackRate = 1;
    if (rebuild && this.url && this.video) void this.build();
  }

  stop(): void {
    this.generation += 1;
    this.teardown();
    this.url = null;
    this.setPhase('idle', '');
  }

  private async build(): Promise<void> {
    const gen = ++this.generation;
    this.teardown();
    const video = this.video;
    const settings = this.settings;
    if (!video || !this.url || !settings) return;
    this.setPhase(this.stats.framesPresented > 0 ? 'reconnecting' : 'starting', this.message);
    const { Mpegts } = await import('../core/mpegts-loader.js');
    if (gen !== this.generation) return;
    if (!Mpegts.isSupported()) {
      this.setPhase('failed', 'This browser cannot play the stream (no Media Source Extensions).');
      return;
    }
    Mpegts.LoggingControl.enableAll = false;
    const url = this.url();
    const player = Mpegts.createPlayer(
      { type: 'flv', isLive: true, hasAudio: this.withAudio, hasVideo: true, url },
      {
        enableWorker: false,
        enableStashBuffer: false,
        stashInitialSize: 1,
        lazyLoad: false,
        autoCleanupSourceBuffer: true,
        autoCleanupMaxBackwardDuration: 10,
        autoCleanupMinBackwardDuration: 5,
        // mpegts.js's own chaser as a backstop behind ours
        liveBufferLatencyChasing: true,
        liveBufferLatencyMaxLatency: 1.2,
        liveBufferLatencyMinRemain: 0.05,
        liveSync: false,
        fixAudioTimestampGap: false,
      },
    );
    this.player = player;
    const restart = (why: string) => {
      if (gen !== this.generation) return;
      this.scheduleRebuild(why);
    };
    player.on(Mpegts.Events.ERROR, (_type: string, detail: string) => restart(`stream error (${detail})`));
    player.on(Mpegts.Events.LOADING_COMPLETE, () => restart('the stream ended'));
    player.attachMediaElement(video);
    player.load();
    this.edge.reset();
    this.lastFrameAt = performance.now();
    this.watchFrames(video, gen);
    this.watchdog = setInterval(() => {
      if (performance.now() - this.lastFrameAt > STALL_RESTART_MS) restart('no frames');
    }, 1000);
    try {
      await video.play();
    } catch {
      // autoplay refused even muted: show the frames once the user interacts
      if (gen === this.generation) this.message = 'Click the video to start playback.';
    }
  }

  private watchFrames(video: HTMLVideoElement, gen: number): void {
    const onFrame = (now: number) => {
      if (gen !== this.generation) return;
      this.lastFrameAt = performance.now();
      this.stats.framesPresented += 1;
      this.stats.width = video.videoWidth;
      this.stats.height = video.videoHeight;
      if (this.phase !== 'playing') {
        this.backoff.reset();
        this.setPhase('playing', '');
      }
      const d = this.edge.update({
        nowMs: now,
        currentTimeS: video.currentTime,
        bufferedEndS: bufferedEndAt(video.buffered, video.currentTime),
      });
      this.stats.lagMs = Math.round(d.lagMs);
      this.stats.floorMs = Math.round(d.floorMs);
      if (this.settings?.liveEdge) {
        if (d.seekToS !== null) {
          video.currentTime = d.seekToS;
          this.stats.seeks += 1;
        }
        if (video.playbackRate !== d.playbackRate) video.playbackRate = d.playbackRate;
      }
      this.stats.playbackRate = video.playbackRate;
      if (now - this.lastStatsAt > STATS_UPDATE_MS) {
        this.lastStatsAt = now;
        this.host.requestUpdate();
      }
      this.frameHandle = video.requestVideoFrameCallback(onFrame);
    };
    if ('requestVideoFrameCallback' in video) this.frameHandle = video.requestVideoFrameCallback(onFrame);
  }

  private scheduleRebuild(why: string): void {
    this.teardown();
    const delay = this.backoff.next();
    this.setPhase('reconnecting', `${capitalize(why)}; reconnecting...`);
    this.retryTimer = setTimeout(() => void this.build(), delay);
  }

  private teardown(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.watchdog) clearInterval(this.watchdog);
    this.retryTimer = this.watchdog = null;
    if (this.frameHandle !== null && this.video && 'cancelVideoFrameCallback' in this.video) {
      this.video.cancelVideoFrameCallback(this.frameHandle);
    }
    this.frameHandle = null;
    const p = this.player;
    this.player = null;
    if (p) {
      try {
        p.pause();
        p.unload();
        p.detachMediaElement();
        p.destroy();
      } catch {
        // a half-built player: nothing more to free
      }
    }
  }

  private setPhase(phase: PlayerPhase, message: string): void {
    this.phase = phase;
    this.message = message;
    this.host.requestUpdate();
  }
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
