/// <reference lib="dom" />
// The init script runs in the browser, before the page's own scripts.
import type { BrowserContext, Page } from 'playwright-core';

/**
 * Hears what a page plays through Web Audio: every node the page connects to its AudioContext's
 * destination (the speakers) is also connected to an AnalyserNode on that context, which `spectrum()`
 * in audio-probe.ts reads (`window.__bxAudio`, the same shape). What the analyser gets is exactly what
 * goes to the speakers, after the page's own volume. Install on the browser context before the page
 * loads.
 */
export async function installWebAudioProbe(ctx: BrowserContext): Promise<void> {
  await ctx.addInitScript(webAudioProbeScript);
}

/** The probe as a function for a browser's init script (puppeteer's `evaluateOnNewDocument` too). */
export function webAudioProbeScript(): void {
  const connect = AudioNode.prototype.connect as (this: AudioNode, ...args: unknown[]) => unknown;
  AudioNode.prototype.connect = function (this: AudioNode, ...args: unknown[]) {
    const out = connect.apply(this, args);
    if (args[0] instanceof AudioDestinationNode) {
      const w = window as unknown as {
        __bxAudio?: { ctx: BaseAudioContext; analyser: AnalyserNode };
        __bxSpeakerConnections?: number;
      };
      w.__bxSpeakerConnections = (w.__bxSpeakerConnections ?? 0) + 1;
      if (w.__bxAudio?.ctx !== this.context) {
        const analyser = this.context.createAnalyser();
        analyser.fftSize = 8192;
        analyser.smoothingTimeConstant = 0;
        w.__bxAudio = { ctx: this.context, analyser };
      }
      connect.call(this, w.__bxAudio.analyser);
    }
    return out;
  } as typeof AudioNode.prototype.connect;
}

/** How many times the page connected a node to an AudioContext's speakers (0: it played nothing that way). */
export function speakerConnections(page: Page): Promise<number> {
  return page.evaluate(
    () => (window as unknown as { __bxSpeakerConnections?: number }).__bxSpeakerConnections ?? 0,
  );
}

/** Waits until the page has connected something to an AudioContext's speakers (see above). */
export async function waitWebAudio(page: Page, timeoutMs = 10_000): Promise<void> {
  await page.waitForFunction(
    () => (window as unknown as { __bxAudio?: unknown }).__bxAudio !== undefined,
    null,
    {
      timeout: timeoutMs,
    },
  );
}
