import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type Player from 'video.js/dist/types/player';

export type HlsPhase = 'idle' | 'loading' | 'ready' | 'error';

export interface HlsOpenOptions {
  /** start here (seconds); a growing playlist starts `fromEndS` before its end instead */
  startS?: number;
  fromEndS?: number;
}

/**
 * One video.js player on an HLS playlist of a recording: a finished one (VOD) or one still growing
 * (EVENT, the live room's DVR). video.js is imported here only, when a player is opened, so the live
 * room page never loads it. Only its media loader is built (no control bar): the page draws its own
 * scrubber, with the recording's timeline on it. Its VHS plays the fMP4 segments through MSE, also
 * where the browser could play HLS itself, so seeking behaves the same everywhere.
 */
export class HlsController implements ReactiveController {
  phase: HlsPhase = 'idle';
  message = '';
  /** the playhead, seconds */
  timeS = 0;
  /** a finished recording's duration; a growing one's seekable end */
  durationS = 0;
  /** the playlist is still growing (EVENT, no end yet) */
  growing = false;
  paused = true;
  waiting = false;
  rate = 1;

  private player: Player | null = null;
  private generation = 0;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.close();
  }

  /** Plays `src` in a video element made inside `container` (replacing any player before). */
  async open(container: HTMLElement, src: string, opts: HlsOpenOptions = {}): Promise<void> {
    this.close();
    const gen = ++this.generation;
    this.set({ phase: 'loading', message: '', timeS: opts.startS ?? 0, durationS: 0, paused: true });
    let videojs: typeof import('video.js').default;
    try {
      videojs = (await import('video.js')).default;
    } catch {
      if (gen === this.generation) this.set({ phase: 'error', message: 'The player could not be loaded.' });
      return;
    }
    if (gen !== this.generation) return;
    const video = document.createElement('video');
    video.setAttribute('playsinline', '');
    container.replaceChildren(video);
    const player = videojs(video, {
      controls: false,
      autoplay: false,
      preload: 'auto',
      // the tech alone: no control bar, spinner, poster or error box (the element draws its own)
      children: ['mediaLoader'],
      playbackRates: [0.5, 1, 1.5, 2, 4],
      html5: {
        vhs: { overrideNative: typeof MediaSource !== 'undefined', enableLowInitialPlaylist: false },
        nativeAudioTracks: false,
        nativeVideoTracks: false,
      },
    });
    this.player = player;
    const mine = () => gen === this.generation;
    const sync = () => mine() && this.sync();
    player.on(['timeupdate', 'durationchange', 'progress', 'pause', 'play', 'ratechange', 'seeked'], sync);
    player.on('waiting', () => mine() && this.set({ waiting: true }));
    player.on('playing', () => mine() && this.set({ waiting: false }));
    player.on('error', () => {
      if (!mine()) return;
      const e = player.error();
      this.set({ phase: 'error', message: e?.message || 'The recording cannot be played.' });
    });
    // A growing playlist loads only once playing, and VHS's first play jumps to its live edge: the
    // DVR's place behind the end is sought after that. A finished one seeks on its metadata.
    const place = () => {
      if (!mine()) return;
      this.sync();
      const at =
        this.growing && opts.fromEndS !== undefined
          ? Math.max(0, this.durationS - opts.fromEndS)
          : (opts.startS ?? 0);
      if (at > 0) player.currentTime(at);
      this.set({ phase: 'ready', timeS: at > 0 ? at : this.timeS });
    };
    player.one('loadedmetadata', () => {
      if (!mine()) return;
      if (Number.isFinite(player.duration() ?? 0)) place();
      else player.one('playing', place);
    });
    player.src({ src, type: 'application/x-mpegURL' });
    void player.play()?.catch(() => {
      // autoplay refused (the tab has had no gesture and plays sound): the play button starts it
      if (mine()) this.set({ phase: 'ready' });
    });
  }

  seek(t: number): void {
    if (!this.player) return;
    const to = Math.min(Math.max(0, t), this.durationS || t);
    this.player.currentTime(to);
    this.set({ timeS: to });
  }

  togglePlay(): void {
    const p = this.player;
    if (!p) return;
    if (p.paused()) void p.play()?.catch(() => {});
    else p.pause();
  }

  setRate(rate: number): void {
    this.player?.playbackRate(rate);
  }

  /** The <video> the player plays on (for a caller's frame watch), or null. */
  get media(): HTMLVideoElement | null {
    return (this.player?.tech(true)?.el() as HTMLVideoElement | undefined) ?? null;
  }

  close(): void {
    this.generation += 1;
    const p = this.player;
    this.player = null;
    if (p) {
      // Tearing down MSE and the transmuxer takes a while: paused now, freed after the next frame, so
      // whatever replaces this player (the live picture, on "Live") paints first.
      p.pause();
      requestAnimationFrame(() => setTimeout(() => p.dispose(), 0));
    }
    if (this.phase !== 'idle') this.set({ phase: 'idle', message: '' });
  }

  private sync(): void {
    const p = this.player;
    if (!p) return;
    const duration = p.duration() ?? 0;
    const seekable = p.seekable();
    const seekEnd = seekable.length > 0 ? seekable.end(seekable.length - 1) : 0;
    const growing = !Number.isFinite(duration);
    this.set({
      timeS: p.currentTime() ?? 0,
      durationS: growing ? seekEnd : duration,
      growing,
      paused: p.paused(),
      rate: p.playbackRate() ?? 1,
    });
  }

  private set(patch: Partial<Pick<HlsController, HlsField>>): void {
    Object.assign(this, patch);
    this.host.requestUpdate();
  }
}

type HlsField = 'phase' | 'message' | 'timeS' | 'durationS' | 'growing' | 'paused' | 'waiting' | 'rate';
