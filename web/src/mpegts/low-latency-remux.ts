/**
 * mpegts.js's MP4 remuxer holds back the last sample of every batch until the next batch arrives, to
 * learn its duration from the next timestamp; a batch with one sample is not remuxed at all. At the
 * live edge each FLV tag is its own batch, so every frame reached MSE one frame late (33 ms at 30 fps),
 * and every AAC frame one frame late too (21 ms; the element's buffered range is the intersection of
 * audio and video, so audio held back holds the video back as well).
 *
 * This remux path sends each sample on at once: one sample per call with `force` (the original's
 * one-sample case), its duration estimated from the last frame interval. Timestamps keep their original
 * spacing (the original would make them contiguous, which drifts against audio when the estimate is
 * off by a millisecond); on a discontinuity (timestamps going back or jumping > 1 s, a publisher
 * restart, a stalled encoder) the timeline goes on one nominal frame interval after the previous frame.
 *
 * It wraps the methods of mpegts.js's own remuxer class (imported from its sources), so the rest of the
 * library is untouched and the switch can be flipped at run time for measurements.
 *
 * Catching up after a gap (video-only playback): when frames stop (a still screen sends none, or the
 * network stalls) the element plays to the end of what it has and stops there; the next frame, stamped
 * with its real capture time, then waited until the playhead crawled to it (up to the length of the gap,
 * 500 ms after a still spell). With a playhead clock set (`setPlayheadClock`), each frame is placed where
 * it is shown soonest (`catchUpShiftMs`): back to the playhead after a gap, forward to it when it came
 * late, and the rest of the timeline moves with it. Never to or before the previous frame, so decode
 * order and MSE's discontinuity rule hold. Without audio nothing else is on that timeline; with audio
 * the clock is not set (lip sync).
 *
 * Audio keeps the stream's clock (`audioDrift`): where the stream's AAC timestamps skip half a frame or
 * more, silence fills the gap (whole frames); a frame that comes a frame or more behind is dropped. mpegts.js itself makes
 * AAC timestamps contiguous, so every skip used to move all later sound earlier against the picture.
 *
 * Each video frame lasts one nominal frame interval (`setNominalFrameDurations`), not the gap before it:
 * with the gap, a frame after a still spell was placed inside the previous frame's span (up to 500 ms),
 * and Firefox showed it only when that span ended (glass-to-glass p50 ~0.5 s; Chromium showed it at once).
 * The element now stalls at the end of a still frame's short span and plays the next frame on arrival.
 */

import AAC from 'mpegts.js/src/remux/aac-silent.js';
import { firstInstall } from './install-once.js';

export interface RemuxSample {
  dts: number;
  length: number;
  /** an AAC frame's bytes (audio samples) */
  unit?: Uint8Array;
}

export interface RemuxTrack {
  samples: RemuxSample[];
  length: number;
}

/** The parts of mpegts.js's MP4Remuxer this module touches. */
export interface RemuxerInternals {
  _isLive: boolean;
  _dtsBase: number;
  _videoMeta: { refSampleDuration: number } | null;
  _audioMeta: { codec: string; refSampleDuration: number; [more: string]: unknown } | null;
  _videoNextDts: number | undefined;
  _audioNextDts: number | undefined;
  _videoStashedLastSample: RemuxSample | null;
  _audioStashedLastSample: RemuxSample | null;
  _remuxVideo(track: RemuxTrack, force?: boolean): void;
  _remuxAudio(track: RemuxTrack, force?: boolean): void;
  __lowLatency?: VideoTimeline;
}

interface VideoTimeline {
  /** originalDts - emitted dts, kept from frame to frame */
  correction: number | null;
  lastOriginalDts: number | null;
  lastDeltaMs: number | null;
  /** the last emitted dts */
  lastOut: number | null;
}

/** The playhead in the remuxer's timeline (ms), or null when it should not steer (paused, seeking). */
export type PlayheadClock = () => number | null;

let playhead: PlayheadClock | null = null;
let catchUpMarginMs = 5;
/** told the dts (ms) of every video frame emitted while a playhead clock is set */
let frameListener: ((dtsMs: number) => void) | null = null;
/** the newest video frame's dts and nominal duration (ms), NaN before the first: no object per frame */
let newestDtsMs = NaN;
let newestFrameMs = NaN;

export interface PlayheadSteering {
  /** where a moved frame goes relative to the playhead (ms) */
  marginMs: number;
  /** called with the dts (ms) of every video frame handed on */
  onFrame?: (dtsMs: number) => void;
}

/** Set (or clear, with null) the clock that lets frames after a gap move back to the playhead. */
export function setPlayheadClock(
  clock: PlayheadClock | null,
  steering: PlayheadSteering = { marginMs: 5 },
): void {
  playhead = clock;
  catchUpMarginMs = steering.marginMs;
  frameListener = clock ? (steering.onFrame ?? null) : null;
  newestDtsMs = newestFrameMs = NaN;
}

/** The newest video frame's dts (s), or null. */
export function newestVideoDtsS(): number | null {
  return Number.isNaN(newestDtsMs) ? null : newestDtsMs / 1000;
}

/**
 * The end of the newest video frame (s) at its nominal duration, or null. Unlike the buffered range,
 * whose end follows the duration estimated for that frame (the gap before it: up to 500 ms on a still
 * screen), this is where the live edge really is.
 */
export function newestVideoEndS(): number | null {
  return Number.isNaN(newestDtsMs) ? null : (newestDtsMs + newestFrameMs) / 1000;
}

/**
 * How much earlier (ms; negative: later) to move a frame that would be emitted at `out`, so that it is
 * shown as soon as it can be:
 * - a frame that would wait for the playhead longer than the margin moves back to the playhead plus the
 *   margin, but never closer than one frame interval after the previous frame (`lastOut`): after a gap it
 *   is shown at once when the playhead already passed the previous frame, and one interval after that
 *   frame when the playhead has not reached it yet (instead of waiting the gap out);
 * - a frame that arrives behind the playhead (it ran on past the previous frame's estimated end) moves
 *   forward to the playhead plus the margin: Chromium held such a late frame ~100 ms before showing it.
 * (Packing frames that arrive while the element is stalled 1 ms behind each other was tried too:
 * Chromium then never left the stall.)
 */
export function catchUpShiftMs(
  out: number,
  lastOut: number | null,
  playheadMs: number,
  marginMs: number,
  frameMs: number,
): number {
  let to = playheadMs + marginMs;
  if (lastOut !== null) to = Math.max(to, lastOut + frameMs);
  if (out > to) return Math.floor(out - to);
  if (out < playheadMs) return -Math.ceil(to - out);
  return 0;
}

/** A larger jump is a new timeline (publisher restart), not a late frame. */
const DISCONTINUITY_MS = 1000;

let enabled = true;
/** give every video frame one nominal frame interval, not the gap before it (Firefox, see setter) */
let nominalDurations = true;
/** with an audio track: every video frame lasts this long (ms), or null (see setVideoFrameHoldMs) */
let holdMs: number | null = null;

/**
 * With an audio track, each video frame lasts `ms` (null: back to the durations above). Frames come
 * only when the screen changes (at least every keepalive), and a frame of one nominal interval leaves
 * the video track a gap until the next: video-only, the element stalls there and the next frame plays
 * on arrival, but with audio Chromium stops the whole pipeline at every such gap (video underflow:
 * `waiting`, the sound cut, then a seek to catch up), on a still screen twice a second. A frame that
 * lasts longer than any gap the capture leaves keeps the video track contiguous; the next frame, stamped
 * inside that span, replaces it on screen at its own time, and the buffered end becomes the audio's:
 * the clock the element plays by.
 */
export function setVideoFrameHoldMs(ms: number | null): void {
  holdMs = ms;
}

/**
 * Each video frame's duration: one nominal frame interval (default) or, off, the gap before it. With the
 * gap, the frame after a still spell is held by Firefox until the previous frame's estimated span ends.
 */
export function setNominalFrameDurations(on: boolean): void {
  nominalDurations = on;
}

/** Turn the no-holdback path on or off (A/B measurements); takes effect with the next sample. */
export function setLowLatencyRemux(on: boolean): void {
  enabled = on;
}

/** What the remuxer's audio metadata says for AAC (the FLV demuxer names it `mp4a.40.<object type>`). */
export function isAac(codec: string | undefined): boolean {
  return codec?.startsWith('mp4a.40.') ?? false;
}

/** Wraps `_remuxVideo` and `_remuxAudio` on the remuxer prototype; idempotent. */
export function installLowLatencyRemux(proto: RemuxerInternals): void {
  if (!firstInstall(proto, 'lowLatencyRemux')) return;
  const origVideo = proto._remuxVideo;
  const origAudio = proto._remuxAudio;

  proto._remuxVideo = function (this: RemuxerInternals, track: RemuxTrack, force?: boolean): void {
    const meta = this._videoMeta;
    if (!enabled || !this._isLive || !meta || !track.samples || track.samples.length === 0) {
      origVideo.call(this, track, force);
      return;
    }
    const samples = takeSamples(track, this._videoStashedLastSample);
    this._videoStashedLastSample = null;
    const tl = (this.__lowLatency ??= {
      correction: null,
      lastOriginalDts: null,
      lastDeltaMs: null,
      lastOut: null,
    });
    const ref = meta.refSampleDuration;
    /** a nominal frame interval that 30 fps in whole ms (33, 34) never exceeds */
    const frameMs = Math.ceil(ref) + 1;
    for (const s of samples) {
      const original = s.dts - this._dtsBase;
      if (tl.lastOriginalDts !== null && tl.correction !== null && tl.lastOut !== null) {
        const delta = original - tl.lastOriginalDts;
        const continuous = delta > 0 && delta < DISCONTINUITY_MS;
        // timestamps going back or jumping (a publisher restart, a stalled encoder): the timeline goes
        // on one nominal frame interval after the previous frame
        if (!continuous) tl.correction = original - (tl.lastOut + frameMs);
        const at = playhead?.() ?? null;
        if (at !== null)
          tl.correction += catchUpShiftMs(original - tl.correction, tl.lastOut, at, catchUpMarginMs, frameMs);
        this._videoNextDts = original - tl.correction;
        if (continuous) tl.lastDeltaMs = delta;
      }
      // +1 ms: millisecond timestamps at 30 fps step 33, 33, 34; a tiny overlap is harmless, a gap is not
      const est = holdMs ?? (nominalDurations ? Math.floor(ref) : (tl.lastDeltaMs ?? Math.floor(ref))) + 1;
      meta.refSampleDuration = est;
      track.samples = [s];
      track.length = s.length;
      try {
        origVideo.call(this, track, true);
      } finally {
        meta.refSampleDuration = ref;
      }
      // the original emitted dts = original - correction and set _videoNextDts = dts + floor(est)
      tl.lastOut = (this._videoNextDts ?? 0) - Math.floor(est);
      newestDtsMs = tl.lastOut;
      newestFrameMs = ref;
      frameListener?.(tl.lastOut);
      tl.correction = original - tl.lastOut;
      tl.lastOriginalDts = original;
    }
    track.samples = [];
    track.length = 0;
  };

  proto._remuxAudio = function (this: RemuxerInternals, track: RemuxTrack, force?: boolean): void {
    // AAC frames have a fixed, known duration: the original computes dts from it; only mp3 differs.
    const meta = this._audioMeta;
    if (!enabled || !this._isLive || !meta || !isAac(meta.codec) || !track.samples?.length) {
      origAudio.call(this, track, force);
      return;
    }
    const samples = takeSamples(track, this._audioStashedLastSample);
    this._audioStashedLastSample = null;
    const one = (s: RemuxSample): void => {
      track.samples = [s];
      track.length = s.length;
      origAudio.call(this, track, true);
    };
    for (const s of samples) {
      const next = this._audioNextDts;
      const drift = next === undefined ? 0 : audioDrift(s.dts - this._dtsBase, next, meta.refSampleDuration);
      if (drift < 0) {
        // a frame or more behind the timeline: played, it would put the sound that much late for good
        audioRepairs.dropped += 1;
        continue;
      }
      if (drift > 0) {
        const silent = silentAacFrame(meta);
        if (silent) {
          // the stream skipped time (a capture hiccup): silence in its place keeps the sound on time
          // (whole frames: a skip from half a frame on gets one)
          for (let i = 0; i < drift; i++)
            one({
              dts: this._dtsBase + next! + i * meta.refSampleDuration,
              length: silent.length,
              unit: silent,
            });
          audioRepairs.filled += drift;
        }
      }
      one(s);
    }
    track.samples = [];
    track.length = 0;
  };
}

/**
 * Where an AAC frame stamped `originalDts` stands against the emitted timeline (`nextDts`, where
 * mpegts.js puts the next frame: its AAC dts are contiguous, each frame one `frameMs` after the last,
 * whatever the stream's timestamps say): how many frames of silence to put before it (> 0), drop it
 * (< 0), or 0 to emit it as it is. Without this, every gap in the stream's audio timestamps (a
 * capture hiccup, a busy encoder) moved all later sound earlier against the picture, for good, and
 * every overlap moved it later (only from 3 frames on did the original drop one; its silence
 * filling, `fixAudioTimestampGap`, also starts at 3 frames, 64 ms at 48 kHz: past the lip-sync budget).
 * Timestamp steps of the stream (whole ms: 21, 21, 22) never trigger. A jump of a second or more is
 * left to mpegts.js as before: forward, the sound goes on contiguous (the player sets no
 * `fixAudioTimestampGap`); backward, it drops frames until the stream's stamps catch up.
 */
export function audioDrift(originalDts: number, nextDts: number, frameMs: number): number {
  const d = originalDts - nextDts;
  if (Math.abs(d) >= DISCONTINUITY_MS) return 0;
  // stamps are whole ms: a frame behind is within a millisecond of -frameMs
  if (d <= 1 - frameMs) return -1;
  return Math.max(0, Math.round(d / frameMs));
}

/** Silence filled and frames dropped by the audio path since the page loaded (player stats). */
export const audioRepairs = { filled: 0, dropped: 0 };

/** One silent AAC frame for the stream's config (mpegts.js's table), cached; null if it has none. */
function silentAacFrame(meta: NonNullable<RemuxerInternals['_audioMeta']>): Uint8Array | null {
  const key = `${String(meta.originalCodec)}/${String(meta.channelCount)}`;
  if (silentKey !== key) {
    silentKey = key;
    silent = AAC.getSilentFrame(String(meta.originalCodec), Number(meta.channelCount)) ?? null;
  }
  return silent;
}
let silentKey = '';
let silent: Uint8Array | null = null;

/** The batch's samples, with a sample the original stashed (before we were enabled) in front. */
function takeSamples(track: RemuxTrack, stashed: RemuxSample | null): RemuxSample[] {
  const samples = track.samples.slice();
  if (stashed) samples.unshift(stashed);
  return samples;
}
