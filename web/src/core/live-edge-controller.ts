/**
 * Keeps playback at the live edge: fed `buffered.end - currentTime` on every presented frame, it
 * answers a playbackRate (and sometimes a seek) that holds the buffer near a small target.
 *
 * The lag saw-tooths by one frame as frames arrive, so decisions use the minimum over a short window
 * (the reserve the player really has), not the last reading.
 */
export interface LiveEdgeOptions {
  /** the buffer to hold ahead of the playhead */
  targetMs: number;
  /** fastest catch-up rate */
  maxRate: number;
  /** slowest rate, used to rebuild a reserve that fell below half the target */
  minRate: number;
  /** extra rate per ms of excess lag (0.004: 50 ms over target plays at 1.2) */
  gainPerMs: number;
  /** no rate change while within target +- this */
  deadbandMs: number;
  /** seek straight to the edge when even the window's minimum is this far behind */
  seekAboveMs: number;
  /** the minimum is taken over this window */
  windowMs: number;
  /** at most one seek per this long (a seek needs a few frames to settle) */
  seekCooldownMs: number;
  /**
   * keep a rate at least this long before changing it again (0: every frame). Chromium re-primes its
   * audio renderer on each playbackRate change, a stall of up to ~250 ms when an audio track plays.
   */
  rateHoldMs: number;
}

export const DEFAULT_LIVE_EDGE: LiveEdgeOptions = {
  targetMs: 40,
  maxRate: 1.5,
  minRate: 0.95,
  gainPerMs: 0.004,
  deadbandMs: 8,
  seekAboveMs: 600,
  windowMs: 500,
  seekCooldownMs: 1500,
  rateHoldMs: 0,
};

export interface LiveEdgeInput {
  /** ms, monotonic (performance.now() or the frame callback's `now`) */
  nowMs: number;
  currentTimeS: number;
  /** end of the buffered range that holds currentTime; null when nothing is buffered */
  bufferedEndS: number | null;
}

export interface LiveEdgeDecision {
  playbackRate: number;
  /** set currentTime to this, or null */
  seekToS: number | null;
  /** this frame's lag, ms */
  lagMs: number;
  /** the window's minimum lag, ms: what the decision was based on */
  floorMs: number;
}

export class LiveEdgeController {
  private readonly opts: LiveEdgeOptions;
  private samples: Array<{ t: number; lag: number }> = [];
  private lastSeekMs = -Infinity;
  private rate = 1;
  private rateSinceMs = -Infinity;

  constructor(opts: Partial<LiveEdgeOptions> = {}) {
    this.opts = { ...DEFAULT_LIVE_EDGE, ...opts };
  }

  get targetMs(): number {
    return this.opts.targetMs;
  }

  set targetMs(ms: number) {
    this.opts.targetMs = Math.max(0, ms);
  }

  set rateHoldMs(ms: number) {
    this.opts.rateHoldMs = Math.max(0, ms);
  }

  /** Change any option but the target (see targetMs); takes effect with the next update. */
  tune(opts: Partial<Omit<LiveEdgeOptions, 'targetMs'>>): void {
    Object.assign(this.opts, opts);
  }

  reset(): void {
    this.samples = [];
    this.lastSeekMs = -Infinity;
    this.rate = 1;
    this.rateSinceMs = -Infinity;
  }

  update(input: LiveEdgeInput): LiveEdgeDecision {
    const o = this.opts;
    if (input.bufferedEndS === null) return { playbackRate: 1, seekToS: null, lagMs: 0, floorMs: 0 };
    const lag = Math.max(0, (input.bufferedEndS - input.currentTimeS) * 1000);
    this.samples.push({ t: input.nowMs, lag });
    while (this.samples.length > 1 && this.samples[0]!.t < input.nowMs - o.windowMs) this.samples.shift();
    const floor = Math.min(...this.samples.map((s) => s.lag));

    if (floor > o.seekAboveMs && input.nowMs - this.lastSeekMs >= o.seekCooldownMs) {
      this.lastSeekMs = input.nowMs;
      this.samples = [];
      this.rate = 1;
      this.rateSinceMs = input.nowMs;
      return {
        playbackRate: 1,
        seekToS: input.bufferedEndS - o.targetMs / 1000,
        lagMs: lag,
        floorMs: floor,
      };
    }
    const excess = floor - o.targetMs;
    let rate = 1;
    if (excess > o.deadbandMs) rate = Math.min(o.maxRate, 1 + (excess - o.deadbandMs) * o.gainPerMs);
    else if (floor < o.targetMs / 2) rate = o.minRate;
    rate = round3(rate);
    // Held rates: change only after the hold, except back to 1x (stopping a catch-up must not wait).
    if (rate !== this.rate && (rate === 1 || input.nowMs - this.rateSinceMs >= o.rateHoldMs)) {
      this.rate = rate;
      this.rateSinceMs = input.nowMs;
    }
    return { playbackRate: this.rate, seekToS: null, lagMs: lag, floorMs: floor };
  }
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** The end of the buffered range containing `t` (or the last range when `t` is before all). */
export function bufferedEndAt(ranges: TimeRanges, t: number): number | null {
  if (ranges.length === 0) return null;
  for (let i = 0; i < ranges.length; i++) {
    if (t >= ranges.start(i) - 0.05 && t <= ranges.end(i)) return ranges.end(i);
  }
  return ranges.end(ranges.length - 1);
}
