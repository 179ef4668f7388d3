import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type MpegtsNs from 'mpegts.js';
import { Backoff, PAGE_RECONNECT } from '../core/backoff.js';
import { DEFAULT_LIVE_EDGE, LiveEdgeController, bufferedEndAt } from '../core/live-edge-controller.js';
import {
  audioRepairs,
  newestVideoDtsS,
  newestVideoEndS,
  setLowLatencyRemux,
  setPlayheadClock,
  setNominalFrameDurations,
  setVideoFrameHoldMs,
} from '../mpegts/low-latency-remux.js';
import { emptyPlayerStats, type PlayerStats } from '../core/player-stats.js';
import type { PlayerSettings } from '../core/settings.js';
import { loadedMpegts } from '../core/mpegts-preload.js';
import { prefetchedLoaderConfig, streamPrefetch } from '../core/stream-prefetch.js';
import { chooseDecoder, decoderCapabilities } from '../webcodecs/decoder-choice.js';
import { WebCodecsPlayer } from '../webcodecs/webcodecs-player.js';
import { setAudioTagListener } from '../mpegts/audio-tap.js';
import { SoundFeed } from '../sound/sound-feed.js';
import { SoundPlayer, webAudioSoundCapable } from '../sound/sound-player.js';

type Player = MpegtsNs.Player;

export type { PlayerStats };

export type PlayerPhase = 'idle' | 'waiting' | 'starting' | 'playing' | 'reconnecting' | 'failed';

/** After this long without a presented frame while playing, the player is rebuilt. */
const STALL_RESTART_MS = 4000;
/**
 * The live edge with an audio track in the element (the `element` sound path, see setAudio). Chromium's audio renderer decodes ahead and
 * underflows (the element goes `waiting`, sound and picture stop) when less than ~150 ms of audio is
 * buffered past the playhead, more while it plays faster; a seek stops both for ~400 ms while it
 * prerolls. So: a reserve of at least this, catch-up by rate only, at most 10 % faster (with the
 * pitch kept, barely audible), each rate held a second, and a seek only when far behind.
 */
const AUDIO_EDGE = {
  minTargetMs: 250,
  tune: { maxRate: 1.1, gainPerMs: 0.001, deadbandMs: 30, seekAboveMs: 2000, rateHoldMs: 1000 },
};
const VIDEO_ONLY_EDGE = {
  tune: {
    maxRate: DEFAULT_LIVE_EDGE.maxRate,
    gainPerMs: DEFAULT_LIVE_EDGE.gainPerMs,
    deadbandMs: DEFAULT_LIVE_EDGE.deadbandMs,
    seekAboveMs: DEFAULT_LIVE_EDGE.seekAboveMs,
    rateHoldMs: 0,
  },
};
/**
 * Video-only: a frame reached MSE while the element was stalled and none was presented this long after:
 * jump to it. Chromium sometimes stays stalled with frames a few ms ahead of its stopped clock until one
 * ~75 ms ahead arrives: on a still screen that is the next keepalive, 500 ms later.
 */
const STALL_KICK_MS = 60;
/**
 * With an audio track, how long each video frame lasts (see setVideoFrameHoldMs): longer than the
 * capture's keepalive (500 ms on a still screen), with room for a late frame.
 */
const VIDEO_HOLD_WITH_AUDIO_MS = 1000;
/** Repaint the host at most this often for stats. */
const STATS_UPDATE_MS = 250;

/**
 * Owns one mpegts.js player on the host's <video>: low-latency options, our live-edge controller on
 * every presented frame, a stall watchdog and rebuilds with backoff when the stream ends or errs.
 */
export class PlayerController implements ReactiveController {
  phase: PlayerPhase = 'idle';
  message = '';
  stats: PlayerStats = emptyPlayerStats();

  private video: HTMLVideoElement | null = null;
  private player: Player | null = null;
  private webCodecs: WebCodecsPlayer | null = null;
  /** VideoDecoder refused the stream's codec on this page: MSE from then on */
  private webCodecsRefused = false;
  private url: (() => string) | null = null;
  private settings: PlayerSettings | null = null;
  private readonly edge = new LiveEdgeController();
  private readonly backoff = new Backoff(PAGE_RECONNECT);
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private frameHandle: number | null = null;
  private stallKick: ReturnType<typeof setTimeout> | null = null;
  private lastFrameAt = 0;
  private lastStatsAt = 0;
  private generation = 0;
  /** unmuted; while muted the stream is played video-only */
  private withAudio = false;
  /** the current player has an audio track (built while unmuted; muting again does not rebuild) */
  private builtWithAudio = false;
  /** the stream's audio tags, from whichever player reads it, for the Web Audio sound */
  private readonly soundFeed = new SoundFeed();
  private sound: SoundPlayer | null = null;
  /** Web Audio could not decode the stream's sound on this page: the element's audio track from then on */
  private soundRefused = false;
  private volume = 1;
  private outputMuted = true;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.stop();
    // a stage connected again starts muted, as a new one does
    this.withAudio = this.builtWithAudio = false;
  }

  /** Start (or restart) playback of `url()` on `video`; the url is asked again on every rebuild. */
  start(video: HTMLVideoElement, url: () => string, settings: PlayerSettings): void {
    this.video = video;
    this.url = url;
    this.adopt(settings);
    this.backoff.reset();
    this.routeSound(false);
    void this.build();
  }

  /**
   * Muted playback is video-only: no audio clock, so playbackRate changes cost nothing (with audio,
   * Chromium stalls up to ~250 ms per change) and the buffer is not held to the audio track's end.
   * Unmuted, the sound plays through Web Audio beside the video-only player where the browser can
   * (web/src/sound/; called in the click on Unmute, which lets an AudioContext start); otherwise the
   * player is rebuilt once with an audio track and the live edge kept gentle (AUDIO_EDGE).
   */
  setAudio(on: boolean): void {
    if (on === this.withAudio) return;
    this.withAudio = on;
    this.routeSound();
  }

  /** The element's volume and muted state, for the sound that does not play through it. */
  setOutput(volume: number, muted: boolean): void {
    this.volume = volume;
    this.outputMuted = muted;
    this.sound?.setVolume(volume, muted);
  }

  /** Unmuted, playing, and the sound goes through Web Audio (by setting and capability). */
  private soundByWebAudio(): boolean {
    return (
      this.withAudio &&
      this.url !== null &&
      this.settings?.sound !== 'element' &&
      !this.soundRefused &&
      webAudioSoundCapable()
    );
  }

  /** Unmuted, and the sound plays from the player's own audio track. */
  private elementAudio(): boolean {
    return this.withAudio && !this.soundByWebAudio();
  }

  /**
   * Start or stop the Web Audio sound, and rebuild when the player needs an audio track it lacks (a
   * player built with one keeps it until the next build: muting does not rebuild).
   */
  private routeSound(mayRebuild = true): void {
    if (this.soundByWebAudio() && !this.sound) {
      try {
        this.sound = new SoundPlayer({
          // asynchronous: never inside a call of the player or the feed
          unsupported: () => {
            this.soundRefused = true;
            this.sound = null;
            this.routeSound();
          },
        });
        this.sound.setVolume(this.volume, this.outputMuted);
      } catch {
        this.soundRefused = true;
      }
    } else if (!this.soundByWebAudio() && this.sound) {
      this.sound.close();
      this.sound = null;
    }
    this.soundFeed.attach(this.sound);
    this.stats.sound = !this.withAudio || !this.url ? null : this.sound ? 'webaudio' : 'element';
    this.tuneEdge();
    if (mayRebuild && this.url && this.video && this.elementAudio() && !this.builtWithAudio)
      void this.build();
  }

  /** The live edge for the current player: video-only, or with an audio track (AUDIO_EDGE). */
  private tuneEdge(): void {
    const target = this.settings?.targetLatencyMs ?? DEFAULT_LIVE_EDGE.targetMs;
    const audio = this.elementAudio() || this.builtWithAudio;
    this.edge.targetMs = audio ? Math.max(target, AUDIO_EDGE.minTargetMs) : target;
    this.edge.tune(audio ? AUDIO_EDGE.tune : VIDEO_ONLY_EDGE.tune);
  }

  /** Change the target at once; transport and decoder changes rebuild the player. */
  applySettings(settings: PlayerSettings): void {
    const rebuild =
      this.settings?.transport !== settings.transport || this.settings?.decoder !== settings.decoder;
    this.adopt(settings);
    this.routeSound();
    // an audio track the sound no longer plays from (a rebuild for one it needs is routeSound's)
    const dropTrack = this.builtWithAudio && this.withAudio && !this.elementAudio();
    if (!settings.liveEdge && this.video) this.video.playbackRate = 1;
    if (this.player && this.video) this.steerRemux(this.video, this.generation);
    if ((rebuild || dropTrack) && this.url && this.video) void this.build();
  }

  /** The settings that take effect without a rebuild: the live-edge target and the remux switches. */
  private adopt(settings: PlayerSettings): void {
    this.settings = settings;
    this.tuneEdge();
    setLowLatencyRemux(settings.lowLatencyRemux);
    setNominalFrameDurations(settings.nominalFrameDurations);
  }

  stop(): void {
    this.generation += 1;
    this.teardown();
    this.url = null;
    // the room ended: its sound too (an unmuted page starts it again with the next start)
    this.routeSound(false);
    this.setPhase('idle', '');
  }

  private async build(): Promise<void> {
    const gen = ++this.generation;
    this.teardown();
    const video = this.video;
    const settings = this.settings;
    if (!video || !this.url || !settings) return;
    this.setPhase(this.stats.framesPresented > 0 ? 'reconnecting' : 'starting', this.message);
    this.stats.decoder = chooseDecoder(settings.decoder, decoderCapabilities(), this.webCodecsRefused);
    if (this.stats.decoder === 'webcodecs') return this.buildWebCodecs(video, gen);
    const { Mpegts } = loadedMpegts() ?? (await import('../mpegts/mpegts-loader.js'));
    if (gen !== this.generation) return;
    if (!Mpegts.isSupported()) {
      this.setPhase('failed', 'This browser cannot play the stream (no Media Source Extensions).');
      return;
    }
    Mpegts.LoggingControl.enableAll = false;
    const url = this.url();
    this.builtWithAudio = this.elementAudio();
    this.tuneEdge();
    this.soundFeed.reset();
    setAudioTagListener(this.soundFeed.tag);
    const player = Mpegts.createPlayer(
      { type: 'flv', isLive: true, hasAudio: this.builtWithAudio, hasVideo: true, url },
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
        // the room page may have asked for the stream already (core/stream-prefetch.ts)
        ...prefetchedLoaderConfig(Mpegts, url),
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
    this.steerRemux(video, gen);
    player.load();
    await this.play(video, gen, restart);
  }

  /** The WebCodecs player (no Media Source); a codec its VideoDecoder refuses is played by MSE instead. */
  private async buildWebCodecs(video: HTMLVideoElement, gen: number): Promise<void> {
    const url = this.url!();
    this.builtWithAudio = this.elementAudio();
    this.tuneEdge();
    this.soundFeed.reset();
    const restart = (why: string) => {
      if (gen === this.generation) this.scheduleRebuild(why);
    };
    const wc = new WebCodecsPlayer(
      video,
      {
        unsupported: () => {
          if (gen !== this.generation) return;
          this.webCodecsRefused = true;
          void this.build();
        },
        error: (why) => restart(`stream error (${why})`),
        ended: () => restart('the stream ended'),
      },
      { elementAudio: this.builtWithAudio, soundTag: this.soundFeed.tag },
    );
    this.webCodecs = wc;
    wc.start(url, streamPrefetch.take(url));
    await this.play(video, gen, restart);
  }

  /** Watch the frames the new build presents, restart it when none come, and start the element. */
  private async play(video: HTMLVideoElement, gen: number, restart: (why: string) => void): Promise<void> {
    this.edge.reset();
    this.lastFrameAt = performance.now();
    this.watchFrames(video, gen);
    this.watchdog = setInterval(() => {
      // a hidden tab presents no frames (no rendering), and its sound plays on: not a stall
      if (document.visibilityState === 'hidden') this.lastFrameAt = performance.now();
      else if (performance.now() - this.lastFrameAt > STALL_RESTART_MS) restart('no frames');
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
      this.clearStallKick();
      this.lastFrameAt = performance.now();
      this.stats.framesPresented += 1;
      this.stats.width = video.videoWidth;
      this.stats.height = video.videoHeight;
      if (this.phase !== 'playing') {
        this.backoff.reset();
        this.setPhase('playing', '');
      }
      if (this.webCodecs) {
        // nothing buffered to steer: each frame is shown when it is decoded
        this.stats.dropped = this.webCodecs.stats.framesDropped;
        this.stats.lagMs = this.stats.floorMs = 0;
        this.afterFrame(video, now, onFrame);
        return;
      }
      this.stats.audioFilled = audioRepairs.filled;
      this.stats.audioDropped = audioRepairs.dropped;
      const bufferedEnd = bufferedEndAt(video.buffered, video.currentTime);
      // video-only: the newest frame's nominal end, not the buffered end that follows its estimated
      // duration (on a still screen the gap before it, up to 500 ms; the controller would chase that)
      const newestEnd = this.builtWithAudio ? null : newestVideoEndS();
      const d = this.edge.update({
        nowMs: now,
        currentTimeS: video.currentTime,
        bufferedEndS:
          bufferedEnd !== null && newestEnd !== null ? Math.min(bufferedEnd, newestEnd) : bufferedEnd,
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
      this.afterFrame(video, now, onFrame);
    };
    if ('requestVideoFrameCallback' in video) this.frameHandle = video.requestVideoFrameCallback(onFrame);
  }

  private afterFrame(video: HTMLVideoElement, now: number, onFrame: VideoFrameRequestCallback): void {
    this.stats.playbackRate = video.playbackRate;
    if (this.sound) {
      this.stats.soundLeadMs = this.sound.stats.leadMs;
      this.stats.soundLate = this.sound.stats.late;
      this.stats.soundDropped = this.sound.stats.dropped;
    }
    if (now - this.lastStatsAt > STATS_UPDATE_MS) {
      this.lastStatsAt = now;
      this.host.requestUpdate();
    }
    this.frameHandle = video.requestVideoFrameCallback(onFrame);
  }

  /**
   * Video-only, with the live edge on: frames after a gap (a still screen, a network stall) move to the
   * playhead, and a stalled element is watched (see watchStall). Off otherwise (audio: lip sync), and
   * with audio each video frame lasts until the next can come, so the video track has no gaps.
   */
  private steerRemux(video: HTMLVideoElement, gen: number): void {
    const settings = this.settings;
    setVideoFrameHoldMs(this.builtWithAudio ? VIDEO_HOLD_WITH_AUDIO_MS : null);
    if (this.builtWithAudio || !settings?.liveEdge) {
      setPlayheadClock(null);
      return;
    }
    setPlayheadClock(
      () =>
        video.seeking || video.paused || this.stats.framesPresented === 0 ? null : video.currentTime * 1000,
      { marginMs: settings.catchUpMarginMs, onFrame: () => this.watchStall(video, gen) },
    );
  }

  /** A frame went to MSE: if the element is stalled and does not present one soon, jump to the newest. */
  private watchStall(video: HTMLVideoElement, gen: number): void {
    if (this.stallKick || video.readyState >= video.HAVE_FUTURE_DATA || this.stats.framesPresented === 0)
      return;
    this.stallKick = setTimeout(() => {
      this.stallKick = null;
      const newest = newestVideoDtsS();
      if (gen !== this.generation || video.seeking || newest === null) return;
      if (video.readyState >= video.HAVE_FUTURE_DATA || newest <= video.currentTime) return;
      video.currentTime = newest + 0.001;
      this.stats.kicks += 1;
    }, STALL_KICK_MS);
  }

  private clearStallKick(): void {
    if (this.stallKick) clearTimeout(this.stallKick);
    this.stallKick = null;
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
    this.clearStallKick();
    setPlayheadClock(null);
    setAudioTagListener(null);
    this.webCodecs?.destroy();
    this.webCodecs = null;
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
