/// <reference lib="dom" />
// page.evaluate() callbacks run in the browser: each one is self-contained.
import type { Page } from 'playwright-core';

/** A loud stretch the page scheduled through Web Audio: when its first loud sample reaches the output. */
export interface HeardOnset {
  /** Date.now() clock, ms: the context's output timestamp carried to the sample's start */
  heardAt: number;
  /** how far ahead of the context's clock (currentTime) it was scheduled, ms */
  leadMs: number;
  /** from its scheduling to its being heard, ms: the lead plus the output's latency */
  untilHeardMs: number;
}

/**
 * Watches every AudioBufferSourceNode the page starts (the Web Audio sound path, web/src/sound/): for a
 * buffer with a sample louder than `threshold` (|x|, the first channel; the same level the stream's
 * and the sink's onsets are found at, bench/lib/media-marks.ts), when that sample is heard: the
 * start time the page asked for, plus the sample's offset in the buffer, carried to the wall clock by
 * the context's `getOutputTimestamp()` (which includes the output's own latency). Nothing the page's
 * code reports is used: this is what the browser was told to play, and when it plays it.
 */

export async function recordHeardOnsets(page: Page, threshold = 0.2): Promise<void> {
  await page.evaluate((th) => {
    const w = window as unknown as { __bxHeard?: HeardOnset[] };
    if (w.__bxHeard) return;
    const heard: HeardOnset[] = (w.__bxHeard = []);
    const start = AudioBufferSourceNode.prototype.start;
    AudioBufferSourceNode.prototype.start = function (
      this: AudioBufferSourceNode,
      when = 0,
      ...rest: number[]
    ) {
      const buf = this.buffer;
      if (buf) {
        const d = buf.getChannelData(0);
        let i = 0;
        while (i < d.length && Math.abs(d[i]!) <= th) i++;
        if (i < d.length) {
          const ctx = this.context as AudioContext;
          const startsAt = Math.max(when, ctx.currentTime) + i / buf.sampleRate;
          const ts = ctx.getOutputTimestamp();
          const perfNow = performance.now();
          // before the output's first timestamp: the clock now plus the output latency
          const heardPerf =
            ts.performanceTime && ts.contextTime !== undefined
              ? ts.performanceTime + (startsAt - ts.contextTime) * 1000
              : perfNow + (startsAt - ctx.currentTime + (ctx.outputLatency || 0)) * 1000;
          heard.push({
            heardAt: Date.now() + (heardPerf - perfNow),
            leadMs: (startsAt - ctx.currentTime) * 1000,
            untilHeardMs: heardPerf - perfNow,
          });
        }
      }
      return start.call(this, when, ...rest);
    };
  }, threshold);
}

/** The loud stretches scheduled since the last call, oldest first. */
export async function takeHeardOnsets(page: Page): Promise<HeardOnset[]> {
  return page.evaluate(() => {
    const w = window as unknown as { __bxHeard?: HeardOnset[] };
    return w.__bxHeard?.splice(0) ?? [];
  });
}

/** Where the room page plays its sound (its player's stats): 'webaudio', 'element', or null (muted). */
export async function soundPath(page: Page): Promise<'webaudio' | 'element' | null> {
  return page.evaluate(() => {
    const st = (document.querySelector('br-room-page') as unknown as { stats: { sound?: string } | null })
      .stats;
    return (st?.sound as 'webaudio' | 'element' | undefined) ?? null;
  });
}
