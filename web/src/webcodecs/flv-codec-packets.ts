import { FLV } from '@boxroom/contracts';
import { FlvFormatError } from './flv-tag-reader.js';

/** What a video tag's body holds, for VideoDecoder. */
export type VideoPacket =
  | { kind: 'config'; codec: string; description: Uint8Array }
  | { kind: 'frame'; key: boolean; /** composition time offset, ms */ ctsMs: number; data: Uint8Array }
  | { kind: 'other' };

/** What an audio tag's body holds, for AudioDecoder. */
export type AudioPacket =
  | { kind: 'config'; codec: string; description: Uint8Array; sampleRate: number; numberOfChannels: number }
  | { kind: 'frame'; data: Uint8Array }
  | { kind: 'other' };

const hex2 = (n: number) => n.toString(16).padStart(2, '0');

/**
 * The `avc1.PPCCLL` codec string of an AVCDecoderConfigurationRecord (ISO 14496-15 5.2.4.1): profile,
 * constraint flags and level, its bytes 1 to 3.
 */
export function avcCodecString(avcC: Uint8Array): string {
  if (avcC.length < 7 || avcC[0] !== 1) throw new FlvFormatError('not an AVCDecoderConfigurationRecord');
  return `avc1.${hex2(avcC[1]!)}${hex2(avcC[2]!)}${hex2(avcC[3]!)}`;
}

/**
 * An FLV video tag body (E.4.3.1): FrameType/CodecID, AVCPacketType, a signed 24-bit composition time,
 * then the avcC (sequence header) or length-prefixed NAL units (the "avc" format VideoDecoder takes
 * when configured with a description). Only AVC: another codec is 'other'.
 */
export function videoPacket(body: Uint8Array): VideoPacket {
  if (body.length < 5 || (body[0]! & 0x0f) !== FLV.AVC) return { kind: 'other' };
  const data = body.subarray(5);
  if (body[1] === FLV.SEQUENCE_HEADER)
    return { kind: 'config', codec: avcCodecString(data), description: data };
  if (body[1] !== FLV.AVC_NALU || data.length === 0) return { kind: 'other' };
  const ctsMs = (((body[2]! << 16) | (body[3]! << 8) | body[4]!) << 8) >> 8;
  return { kind: 'frame', key: body[0]! >> 4 === FLV.KEY_FRAME, ctsMs, data };
}

/** An FLV audio tag body that holds an AAC AudioSpecificConfig (a sequence header), not a frame. */
export function isAacSequenceHeader(body: Uint8Array): boolean {
  return body.length >= 2 && body[0]! >> 4 === FLV.AAC && body[1] === FLV.SEQUENCE_HEADER;
}

/** MPEG-4 sampling frequency index (ISO 14496-3 1.6.3.4). */
const AAC_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/**
 * An FLV audio tag body (E.4.2.1): SoundFormat etc., AACPacketType, then the AudioSpecificConfig or a
 * raw AAC frame. The codec string and the rate and channels come from the AudioSpecificConfig (the FLV
 * flags say 44 kHz stereo for every AAC stream). Only AAC: another format is 'other'.
 */
export function audioPacket(body: Uint8Array): AudioPacket {
  if (body.length < 2 || body[0]! >> 4 !== FLV.AAC) return { kind: 'other' };
  const data = body.subarray(2);
  if (isAacSequenceHeader(body)) {
    if (data.length < 2) throw new FlvFormatError('a short AudioSpecificConfig');
    const objectType = data[0]! >> 3;
    const rateIndex = ((data[0]! & 0x07) << 1) | (data[1]! >> 7);
    const channels = (data[1]! >> 3) & 0x0f;
    const sampleRate = AAC_RATES[rateIndex];
    if (objectType === 31 || sampleRate === undefined || channels === 0)
      throw new FlvFormatError('an AudioSpecificConfig this player does not read');
    return {
      kind: 'config',
      codec: `mp4a.40.${objectType}`,
      description: data,
      sampleRate,
      numberOfChannels: channels,
    };
  }
  return data.length > 0 ? { kind: 'frame', data } : { kind: 'other' };
}
