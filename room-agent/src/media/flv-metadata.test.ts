import { describe, expect, it } from 'vitest';
import { unwrapMetadataTag } from './flv-metadata.js';

function scriptTag(body: Buffer): Buffer {
  const tag = Buffer.alloc(11 + body.length + 4);
  tag[0] = 18;
  tag.writeUIntBE(body.length, 1, 3);
  body.copy(tag, 11);
  tag.writeUInt32BE(11 + body.length, 11 + body.length);
  return tag;
}
const amfString = (s: string) => Buffer.concat([Buffer.from([2, 0, s.length]), Buffer.from(s, 'latin1')]);

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
