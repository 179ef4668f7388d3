export type Transport = 'http' | 'ws';
/** Which player decodes the stream: `auto` picks by capability (webcodecs/decoder-choice.ts). */
export type DecoderSetting = 'auto' | 'webcodecs' | 'mse';
/**
 * Where the sound plays once unmuted: `auto`, through Web Audio (web/src/sound/) where the page can,
 * else in the player's own audio track; `element`, always in the player's audio track (in step, later).
 */
export type SoundSetting = 'auto' | 'element';

/** Player settings, kept in localStorage (nothing secret). */
export interface PlayerSettings {
  transport: Transport;
  /** the live-edge controller's buffer target */
  targetLatencyMs: number;
  /** our own live-edge controller (off: mpegts.js's latency chasing only) */
  liveEdge: boolean;
  /** send each frame to MSE at once (off: mpegts.js holds one frame back) */
  lowLatencyRemux: boolean;
  /** video-only: a frame after a gap is moved back to the playhead plus this (ms; see low-latency-remux) */
  catchUpMarginMs: number;
  /** each video frame lasts one nominal frame interval instead of the gap before it (see low-latency-remux) */
  nominalFrameDurations: boolean;
  /** the player: WebCodecs (no Media Source buffer), MSE (mpegts.js), or `auto` (by capability) */
  decoder: DecoderSetting;
  /** the sound: Web Audio beside a video-only player where the page can (`auto`), or the player's own track */
  sound: SoundSetting;
}

export const DEFAULT_SETTINGS: PlayerSettings = {
  transport: 'http',
  targetLatencyMs: 40,
  liveEdge: true,
  lowLatencyRemux: true,
  catchUpMarginMs: 5,
  nominalFrameDurations: true,
  decoder: 'auto',
  sound: 'auto',
};

const KEY = 'boxroom.player';

export function loadSettings(storage: Pick<Storage, 'getItem'> = localStorage): PlayerSettings {
  try {
    const raw = JSON.parse(storage.getItem(KEY) ?? '{}') as Partial<PlayerSettings>;
    const s = { ...DEFAULT_SETTINGS, ...raw };
    if (s.transport !== 'http' && s.transport !== 'ws') s.transport = DEFAULT_SETTINGS.transport;
    if (!['auto', 'webcodecs', 'mse'].includes(s.decoder)) s.decoder = DEFAULT_SETTINGS.decoder;
    if (!['auto', 'element'].includes(s.sound)) s.sound = DEFAULT_SETTINGS.sound;
    s.targetLatencyMs = clamp(finiteOr(s.targetLatencyMs, DEFAULT_SETTINGS.targetLatencyMs), 0, 2000);
    s.catchUpMarginMs = clamp(finiteOr(s.catchUpMarginMs, DEFAULT_SETTINGS.catchUpMarginMs), -50, 200);
    return s;
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
}

export function saveSettings(s: PlayerSettings, storage: Pick<Storage, 'setItem'> = localStorage): void {
  storage.setItem(KEY, JSON.stringify(s));
}

const finiteOr = (x: unknown, fallback: number) =>
  typeof x === 'number' && Number.isFinite(x) ? x : fallback;
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
