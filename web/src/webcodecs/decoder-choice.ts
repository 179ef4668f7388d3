import type { DecoderSetting } from '../core/settings.js';
import { hasTrackGenerator } from './track-generator.js';

export type Decoder = 'webcodecs' | 'mse';

export interface DecoderCapabilities {
  /** VideoDecoder (a secure context: https or localhost) and MediaStreamTrackGenerator (Chromium) */
  webCodecs: boolean;
}

export function decoderCapabilities(g: object = globalThis): DecoderCapabilities {
  return {
    webCodecs:
      'VideoDecoder' in g &&
      'EncodedVideoChunk' in g &&
      (g === globalThis ? hasTrackGenerator() : 'MediaStreamTrackGenerator' in g),
  };
}

/**
 * The player for a build: WebCodecs when asked for (`webcodecs`, or `auto` while WEBCODECS_BY_DEFAULT),
 * the browser has it, and this page has not seen it refuse the stream's codec; MSE (mpegts.js) otherwise.
 */
export function chooseDecoder(setting: DecoderSetting, caps: DecoderCapabilities, refused: boolean): Decoder {
  if (setting === 'mse' || !caps.webCodecs || refused) return 'mse';
  return setting === 'webcodecs' || WEBCODECS_BY_DEFAULT ? 'webcodecs' : 'mse';
}

/** Whether `auto` prefers WebCodecs (see docs/decisions.md, "WebCodecs player"). */
export const WEBCODECS_BY_DEFAULT = false;
