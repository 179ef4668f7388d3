import type * as MpegtsLoader from '../mpegts/mpegts-loader.js';

type MpegtsModule = typeof MpegtsLoader;

let loaded: MpegtsModule | null = null;

/** Load and run the player's module now (main.ts, on a room path), so the player finds it ready. */
export function preloadMpegts(): Promise<MpegtsModule> {
  return import('../mpegts/mpegts-loader.js').then((m) => (loaded = m));
}

/**
 * The player's module if it has run, else null. `await import()` resolves in a later task even for a
 * module that has already run, and the browser may lay out and paint the whole room page first (tens
 * of ms, font lookups mostly): with this, the player opens Media Source before that.
 */
export function loadedMpegts(): MpegtsModule | null {
  return loaded;
}
