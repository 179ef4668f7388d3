import { describe, expect, it } from 'vitest';
import { audioPacket, avcCodecString, videoPacket } from './flv-codec-packets.js';

// x264 ultrafast's avcC at 1280x720 (Constrained Baseline 3.1), SPS and PPS cut short
const AVCC = [1, 0x42, 0xc0, 0x1f, 0xff, 0xe1, 0, 4, 0x67, 0x42, 0xc0, 0x1f, 1, 0, 2, 0x68, 0xce];

describe('videoPacket', () => {
  it('reads the codec string and the description from an AVC sequence header', () => {
    const p = videoPacket(new Uint8Array([0x17, 0, 0, 0, 0, ...AVCC]));
    expect(p).toMatchObject({ kind: 'config', codec: 'avc1.42c01f' });
    expect(p.kind === 'config' && [...p.description]).toEqual(AVCC);
    expect(avcCodecString(new Uint8Array([1, 0x64, 0, 0x28, 0xff, 0xe1, 0]))).toBe('avc1.640028');
  });

  it('reads key and delta frames with their signed composition time', () => {
    const key = videoPacket(new Uint8Array([0x17, 1, 0, 0, 40, 0, 0, 0, 2, 0x65, 0x88]));
    expect(key.kind === 'frame' && { key: key.key, cts: key.ctsMs, data: [...key.data] }).toEqual({
      key: true,
      cts: 40,
      data: [0, 0, 0, 2, 0x65, 0x88],
    });
    const delta = videoPacket(new Uint8Array([0x27, 1, 0xff, 0xff, 0xf6, 0, 0, 0, 1, 0x41]));
    expect(delta).toMatchObject({ kind: 'frame', key: false, ctsMs: -10 });
  });

  it('leaves out the end of sequence and other codecs', () => {
    expect(videoPacket(new Uint8Array([0x17, 2, 0, 0, 0]))).toEqual({ kind: 'other' });
    // CodecID 12: HEVC the Chinese-extension way
    expect(videoPacket(new Uint8Array([0x1c, 1, 0, 0, 0, 1]))).toEqual({ kind: 'other' });
  });
});

describe('audioPacket', () => {
  it('reads AAC-LC 48 kHz stereo from its AudioSpecificConfig (not the FLV flags)', () => {
    // object type 2, frequency index 3 (48 kHz), 2 channels
    const p = audioPacket(new Uint8Array([0xaf, 0, 0x11, 0x90]));
    expect(p).toMatchObject({ kind: 'config', codec: 'mp4a.40.2', sampleRate: 48000, numberOfChannels: 2 });
    expect(p.kind === 'config' && [...p.description]).toEqual([0x11, 0x90]);
  });

  it('reads raw AAC frames, and leaves out other formats', () => {
    expect(audioPacket(new Uint8Array([0xaf, 1, 0x21, 0x10]))).toMatchObject({ kind: 'frame' });
    // SoundFormat 2: MP3
    expect(audioPacket(new Uint8Array([0x2f, 0xff, 0xfb]))).toEqual({ kind: 'other' });
  });
});
