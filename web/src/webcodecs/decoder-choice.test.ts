import { describe, expect, it } from 'vitest';
import { WEBCODECS_BY_DEFAULT, chooseDecoder, decoderCapabilities } from './decoder-choice.js';

describe('chooseDecoder', () => {
  const yes = { webCodecs: true };
  const no = { webCodecs: false };

  it('gives what is asked for when the browser has it', () => {
    expect(chooseDecoder('webcodecs', yes, false)).toBe('webcodecs');
    expect(chooseDecoder('mse', yes, false)).toBe('mse');
    expect(chooseDecoder('auto', yes, false)).toBe(WEBCODECS_BY_DEFAULT ? 'webcodecs' : 'mse');
  });

  it('falls back to MSE without WebCodecs, or once its decoder refused the stream', () => {
    expect(chooseDecoder('webcodecs', no, false)).toBe('mse');
    expect(chooseDecoder('auto', no, false)).toBe('mse');
    expect(chooseDecoder('webcodecs', yes, true)).toBe('mse');
  });

  it('needs VideoDecoder and MediaStreamTrackGenerator both', () => {
    expect(decoderCapabilities({}).webCodecs).toBe(false);
    expect(decoderCapabilities({ VideoDecoder: 1, EncodedVideoChunk: 1 }).webCodecs).toBe(false);
    const all = { VideoDecoder: 1, EncodedVideoChunk: 1, MediaStreamTrackGenerator: 1 };
    expect(decoderCapabilities(all).webCodecs).toBe(true);
  });
});
