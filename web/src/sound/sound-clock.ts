/**
 * When each decoded sound frame plays, in an AudioContext's time: a jitter buffer that stays as short as
 * the sound's arrival allows.
 *
 * A frame stamped `t` (the stream's clock) plays at `t + base` (the context's clock). The first frame sets
 * `base` so that it plays `reserveS` after it was decoded. Then:
 * - frames follow each other sample for sample: one that would start within half a frame of the previous
 *   one's end starts exactly there (stamps are whole ms; the sound is continuous);
 * - a frame that comes too late to start on time (less than `marginS` ahead of the context's clock) moves
 *   the clock later so that it plays `reserveS` after now: a short silence, then the sound goes on
 *   that much later (`late`);
 * - the buffer shrinks back: when every frame of a `windowS` window was scheduled more than a frame
 *   beyond `reserveS` ahead, the clock moves earlier by that excess (less half a frame), and the frames
 *   it overlaps are left out (`dropped`: the sound skips a little instead of staying late for good);
 * - a frame half a frame or more behind the sound already scheduled (still to play) is left out
 *   (`dropped`); a jump of a second or more either way is a new timeline (a publisher restart, a sound
 *   that slept): it starts afresh, after whatever is still scheduled of the old one.
 * So the sound plays as early as the slowest frame of the last window allows, plus `reserveS`.
 */

export interface SoundClockTune {
  /** how far ahead of the context's clock a frame that set the clock is scheduled, s */
  reserveS: number;
  /** less than this ahead, a frame is late, s */
  marginS: number;
  /** the window over which the least lead is taken before the buffer shrinks, s */
  windowS: number;
}

export const DEFAULT_SOUND_CLOCK: SoundClockTune = { reserveS: 0.005, marginS: 0.001, windowS: 4 };

/** A larger jump between frames' stamps is a new timeline. */
const DISCONTINUITY_S = 1;

export class SoundClock {
  /** frames that came too late and moved the clock later */
  late = 0;
  /** frames left out (behind the previous one, or overlapped when the buffer shrank) */
  dropped = 0;
  /** the lead of the last frame placed: how long before it plays it was scheduled, s */
  leadS = 0;
  private base: number | null = null;
  private lastEnd = -Infinity;
  private lastStampEnd = 0;
  private windowStart = 0;
  private leastLead = Infinity;

  constructor(private readonly tune: SoundClockTune = DEFAULT_SOUND_CLOCK) {}

  /**
   * The context time at which a frame stamped `stampS` (the stream's clock), `durationS` long, starts
   * when it is ready at context time `nowS`; null: leave it out.
   */
  place(stampS: number, durationS: number, nowS: number): number | null {
    const t = this.tune;
    /** this frame set the clock: its lead is the reserve by construction, not a measure of the others */
    let setsClock = false;
    if (this.base === null || Math.abs(stampS - this.lastStampEnd) >= DISCONTINUITY_S) {
      // the old timeline's frames still scheduled play out first: no two timelines over each other
      this.base = Math.max(nowS + t.reserveS, this.lastEnd) - stampS;
      this.lastEnd = -Infinity;
      this.startWindow(nowS);
      setsClock = true;
    }
    let at = stampS + this.base;
    const gap = at - this.lastEnd;
    if (gap <= -durationS / 2 - 1e-6 && this.lastEnd > nowS) {
      // a frame behind the sound already scheduled
      this.dropped += 1;
      this.lastStampEnd = Math.max(this.lastStampEnd, stampS + durationS);
      return null;
    }
    if (Math.abs(gap) < durationS / 2) at = this.lastEnd;
    if (at < nowS + t.marginS) {
      this.base += nowS + t.reserveS - at;
      at = nowS + t.reserveS;
      this.late += 1;
      this.startWindow(nowS);
      setsClock = true;
    }
    this.lastEnd = at + durationS;
    this.lastStampEnd = stampS + durationS;
    this.leadS = at - nowS;
    if (!setsClock) this.leastLead = Math.min(this.leastLead, this.leadS);
    if (nowS - this.windowStart >= t.windowS) {
      const excess = this.leastLead - t.reserveS;
      // less than a frame is not worth a skip; half a frame is kept, as the frame that ends the skip
      // starts where the sound is (within half a frame of its place), which may be that much earlier
      if (excess >= durationS) this.base -= excess - durationS / 2;
      this.startWindow(nowS);
    }
    return at;
  }

  /** Forget the timeline: the next frame sets the clock (the context's time stood still meanwhile). */
  restart(): void {
    this.base = null;
  }

  private startWindow(nowS: number): void {
    this.windowStart = nowS;
    this.leastLead = Infinity;
  }
}
