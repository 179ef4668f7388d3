/**
 * mpegts.js (flv.js heritage) rewrites the stream's AudioSpecificConfig before it reaches MSE: in
 * every browser but Firefox and Android it declares AAC-LC stereo as HE-AAC (object type 5,
 * `mp4a.40.5`, explicit SBR with the core's own rate as the extension rate) "to make it easier to switch
 * aac codec profile". The room sends plain AAC-LC, so there is no SBR data to decode, but a decoder told
 * SBR is present still runs every frame through the SBR filter banks (FFmpeg's, which Chromium uses,
 * does), and their delay is added to every sound: the room page played its sound tens of ms after
 * its timestamps, behind the picture.
 *
 * This patch declares what the stream says: an AAC-LC config (object type 2) is handed on as the
 * publisher's own bytes with `mp4a.40.2`, in every browser (Firefox got the same from mpegts.js already,
 * rebuilt from the same fields). Any other object type keeps mpegts.js's handling.
 */

import { firstInstall } from './install-once.js';

/** What mpegts.js's FLV demuxer answers for an AAC sequence header. */
export interface AacConfig {
  config: number[];
  samplingRate: number;
  channelCount: number;
  codec: string;
  originalCodec: string;
}

/** The part of mpegts.js's FLVDemuxer this module touches. */
export interface FlvDemuxerInternals {
  _parseAACAudioSpecificConfig(buffer: ArrayBuffer, offset: number, size: number): AacConfig | undefined;
}

/** AAC-LC's audio object type (ISO 14496-3), the first 5 bits of an AudioSpecificConfig. */
const AAC_LC = 2;

/** Make the demuxer declare an AAC-LC stream as AAC-LC, with the stream's own AudioSpecificConfig. */
export function installAacConfig(proto: FlvDemuxerInternals): void {
  if (!firstInstall(proto, 'aacConfig')) return;
  const orig = proto._parseAACAudioSpecificConfig;
  proto._parseAACAudioSpecificConfig = function (this: FlvDemuxerInternals, buffer, offset, size) {
    const parsed = orig.call(this, buffer, offset, size);
    if (!parsed || size < 2) return parsed;
    const asc = new Uint8Array(buffer, offset, size);
    if (asc[0]! >>> 3 !== AAC_LC) return parsed;
    return { ...parsed, config: Array.from(asc), codec: `mp4a.40.${AAC_LC}` };
  };
}
