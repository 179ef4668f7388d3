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
 * restart) the original's contiguous rebase is left to act.
 *
 * It wraps the methods of mpegts.js's own remuxer class (imported from its sources), so the rest of the
 * library is untouched and the switch can be flipped at run time for measurements.
 */

export interface RemuxSample {
  dts: number;
  length: number;
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
  _audioMeta: { codec: string; refSampleDuration: number } | null;
  _videoNextDts: number | undefined;
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
}

/** A larger jump is a new timeline (publisher restart), not a late frame. */
const DISCONTINUITY_MS = 1000;

let enabled = true;

/** Turn the no-holdback path on or off (A/B measurements); takes effect with the next sample. */
export function setLowLatencyRemux(on: boolean): void {
  enabled = on;
}

export function lowLatencyRemuxEnabled(): boolean {
  return enabled;
}

const INSTALLED = Symbol.for('boxroom.lowLatencyRemux');

/** Wraps `_remuxVideo` and `_remuxAudio` on the remuxer prototype; idempotent. */
export function installLowLatencyRemux(proto: RemuxerInternals): void {
  const marked = proto as RemuxerInternals & { [INSTALLED]?: true };
  if (marked[INSTALLED]) return;
  marked[INSTALLED] = true;
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
    const tl = (this.__lowLatency ??= { correction: null, lastOriginalDts: null, lastDeltaMs: null });
    const ref = meta.refSampleDuration;
    for (const s of samples) {
      const original = s.dts - this._dtsBase;
      if (tl.lastOriginalDts !== null && tl.correction !== null) {
        const delta = original - tl.lastOriginalDts;
        if (delta > 0 && delta < DISCONTINUITY_MS) {
          this._videoNextDts = original - tl.correction;
          tl.lastDeltaMs = delta;
        }
      }
      // +1 ms: millisecond timestamps at 30 fps step 33, 33, 34; a tiny overlap is harmless, a gap is not
      const est = (tl.lastDeltaMs ?? Math.floor(ref)) + 1;
      meta.refSampleDuration = est;
      track.samples = [s];
      track.length = s.length;
      try {
        origVideo.call(this, track, true);
      } finally {
        meta.refSampleDuration = ref;
      }
      // the original emitted dts = original - correction and set _videoNextDts = dts + floor(est)
      tl.correction = original - ((this._videoNextDts ?? 0) - Math.floor(est));
      tl.lastOriginalDts = original;
    }
    track.samples = [];
    track.length = 0;
  };

  proto._remuxAudio = function (this: RemuxerInternals, track: RemuxTrack, force?: boolean): void {
    // AAC frames have a fixed, known duration: the original computes dts from it; only mp3 differs.
    if (!enabled || !this._isLive || this._audioMeta?.codec !== 'aac' || !track.samples?.length) {
      origAudio.call(this, track, force);
      return;
    }
    const samples = takeSamples(track, this._audioStashedLastSample);
    this._audioStashedLastSample = null;
    for (const s of samples) {
      track.samples = [s];
      track.length = s.length;
      origAudio.call(this, track, true);
    }
    track.samples = [];
    track.length = 0;
  };
}

/** The batch's samples, with a sample the original stashed (before we were enabled) in front. */
function takeSamples(track: RemuxTrack, stashed: RemuxSample | null): RemuxSample[] {
  const samples = track.samples.slice();
  if (stashed) samples.unshift(stashed);
  return samples;
}
