import { describe, expect, it } from 'vitest';
import { mergeMetadataBodies, unwrapMetadataTag } from './flv-metadata.js';
import { amfString, ffmpegMetadata } from './flv-test-fixture.js';

function scriptTag(body: Buffer): Buffer {
  const tag = Buffer.alloc(11 + body.length + 4);
  tag[0] = 18;
  tag.writeUIntBE(body.length, 1, 3);
  body.copy(tag, 11);
  tag.writeUInt32BE(11 + body.length, 11 + body.length);
  return tag;
}

describe('unwrapMetadataTag', () => {
  it('removes the @setDataFrame prefix and fixes both sizes', () => {
    const payload = Buffer.concat([amfString('onMetaData'), Buffer.from([8, 0, 0, 0, 0, 0, 0, 9])]);
    const out = unwrapMetadataTag(scriptTag(Buffer.concat([amfString('@setDataFrame'), payload])));
    expect(out).toEqual(scriptTag(payload));
  });

  it('leaves plain metadata and other tags alone', () => {
    const plain = scriptTag(amfString('onMetaData'));
    expect(unwrapMetadataTag(plain)).toBe(plain);
    const video = Buffer.from(plain);
    video[0] = 9;
    expect(unwrapMetadataTag(video)).toBe(video);
    expect(unwrapMetadataTag(Buffer.alloc(3))).toHaveLength(3);
  });
});

describe('mergeMetadataBodies', () => {
  const video = ffmpegMetadata({ duration: 0, width: 1280, height: 720, videocodecid: 7, encoder: 'Lavf59' });
  const audio = ffmpegMetadata({
    duration: 0,
    audiosamplerate: 48000,
    stereo: true,
    audiocodecid: 10,
    encoder: 'x',
  });

  it('gives one ECMA array with both tracks` fields, the picture`s winning a name both have', () => {
    expect(mergeMetadataBodies(video, audio)).toEqual(
      ffmpegMetadata({
        duration: 0,
        width: 1280,
        height: 720,
        videocodecid: 7,
        encoder: 'Lavf59',
        audiosamplerate: 48000,
        stereo: true,
        audiocodecid: 10,
      }),
    );
  });

  it('refuses what is not ffmpeg`s onMetaData (another name, an object, a truncated body)', () => {
    expect(mergeMetadataBodies(amfString('onCuePoint'), audio)).toBeNull();
    const asObject = Buffer.from(video);
    asObject[13] = 3;
    expect(mergeMetadataBodies(asObject, audio)).toBeNull();
    expect(mergeMetadataBodies(video, audio.subarray(0, audio.length - 5))).toBeNull();
  });
});
