/// <reference lib="dom" />
// page.evaluate() callbacks run in the browser: each one is self-contained.
import type { Page } from 'playwright-core';

/** What the page's audio analyser hears at one moment. */
export interface Spectrum {
  /** the loudest bin's frequency, Hz */
  peakHz: number;
  /** its level, dBFS */
  peakDb: number;
  /** the level at the frequency asked about (the loudest of its bin and the two beside it), dBFS */
  atDb: number;
}

/**
 * Taps the room page's <video> with an AnalyserNode, on a copy of its sound: `captureStream()` hands
 * Web Audio what the element plays without rerouting it (a MediaElementSource would take the element's
 * output over), so the page sounds as it does for a user. Waits until the element has decoded audio
 * (the player adds the audio track only once unmuted). Throws when no audio arrives in `timeoutMs`.
 */
export async function installAudioProbe(page: Page, timeoutMs = 15_000): Promise<void> {
  await page.evaluate(async (ms) => {
    const video = document
      .querySelector('br-room-page')
      ?.shadowRoot?.querySelector('br-video-stage')
      ?.shadowRoot?.querySelector('video') as
      (HTMLVideoElement & { webkitAudioDecodedByteCount?: number; captureStream(): MediaStream }) | null;
    if (!video) throw new Error('no <video> on the room page');
    const deadline = performance.now() + ms;
    while (!((video.webkitAudioDecodedByteCount ?? 0) > 0)) {
      if (performance.now() > deadline) throw new Error('the element decoded no audio');
      await new Promise((r) => setTimeout(r, 50));
    }
    const ctx = new AudioContext();
    await ctx.resume();
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 8192;
    analyser.smoothingTimeConstant = 0;
    const stream = video.captureStream();
    // a rebuilt player (a new MediaSource) brings a new audio track: follow it
    let source: MediaStreamAudioSourceNode | null = null;
    const bind = () => {
      const track = stream.getAudioTracks().at(-1);
      if (!track) return;
      source?.disconnect();
      source = ctx.createMediaStreamSource(new MediaStream([track]));
      source.connect(analyser);
    };
    stream.addEventListener('addtrack', bind);
    bind();
    (window as unknown as { __bxAudio: unknown }).__bxAudio = { ctx, analyser };
  }, timeoutMs);
}

/** The spectrum of the last ~170 ms the probe heard, and the level at `hz`. */
export function spectrum(page: Page, hz: number): Promise<Spectrum> {
  return page.evaluate(readSpectrum, hz);
}

/**
 * The same, run in the page: for a driver without this module's Page type (puppeteer:
 * `page.evaluate(readSpectrum, hz)`). Reads the analyser at `window.__bxAudio` (this probe's, or the
 * Web Audio probe's, webaudio-probe.ts).
 */
export function readSpectrum(f: number): Spectrum {
  const { ctx, analyser } = (
    window as unknown as { __bxAudio: { ctx: BaseAudioContext; analyser: AnalyserNode } }
  ).__bxAudio;
  const bins = new Float32Array(analyser.frequencyBinCount);
  analyser.getFloatFrequencyData(bins);
  const binHz = ctx.sampleRate / analyser.fftSize;
  let peak = 0;
  for (let i = 1; i < bins.length; i++) if (bins[i]! > bins[peak]!) peak = i;
  const k = Math.round(f / binHz);
  const atDb = Math.max(bins[k - 1] ?? -Infinity, bins[k]!, bins[k + 1] ?? -Infinity);
  // -Infinity (digital silence) does not survive the trip out of the page
  const finite = (x: number) => (Number.isFinite(x) ? x : -200);
  return { peakHz: peak * binHz, peakDb: finite(bins[peak]!), atDb: finite(atDb) };
}
