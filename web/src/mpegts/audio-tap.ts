/**
 * Hands every FLV audio tag's body to a listener before mpegts.js's demuxer looks at it. The room page
 * plays sound through Web Audio (web/src/sound/) while mpegts.js plays the picture alone
 * (`hasAudio: false`, which makes its demuxer skip audio tags): this is where the sound leaves the
 * stream the player already reads, over any transport, the prefetched response included. The body is
 * a view into the demuxer's chunk, valid for the call only (the listener copies what it keeps).
 */

import { firstInstall } from './install-once.js';

/** The part of mpegts.js's FLVDemuxer this module touches. */
export interface FlvAudioDemuxerInternals {
  _parseAudioData(buffer: ArrayBuffer, dataOffset: number, dataSize: number, tagTimestamp: number): void;
}

export type AudioTagListener = (body: Uint8Array, timestampMs: number) => void;

let listener: AudioTagListener | null = null;

/** Set (or clear, with null) who hears the audio tags; one player per page, as the remux's clock. */
export function setAudioTagListener(l: AudioTagListener | null): void {
  listener = l;
}

export function installAudioTap(proto: FlvAudioDemuxerInternals): void {
  if (!firstInstall(proto, 'audioTap')) return;
  const orig = proto._parseAudioData;
  proto._parseAudioData = function (this: FlvAudioDemuxerInternals, buffer, dataOffset, dataSize, ts) {
    listener?.(new Uint8Array(buffer, dataOffset, dataSize), ts);
    orig.call(this, buffer, dataOffset, dataSize, ts);
  };
}
