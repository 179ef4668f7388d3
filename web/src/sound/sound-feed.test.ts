import { describe, expect, it } from 'vitest';
import { SoundFeed } from './sound-feed.js';

const config = new Uint8Array([0xaf, 0x00, 0x11, 0x90]);
const frame = (n: number) => new Uint8Array([0xaf, 0x01, n, n]);

function sink() {
  const got: Array<[number[], number]> = [];
  return { got, push: (body: Uint8Array, ts: number) => got.push([Array.from(body), ts]) };
}

describe('SoundFeed', () => {
  it('hands a sink attached later the stream sequence header first, then the frames', () => {
    const feed = new SoundFeed();
    feed.tag(config, 0);
    feed.tag(frame(1), 21);
    const s = sink();
    feed.attach(s);
    feed.tag(frame(2), 43);
    expect(s.got).toEqual([
      [[0xaf, 0x00, 0x11, 0x90], 0],
      [[0xaf, 0x01, 2, 2], 43],
    ]);
  });

  it('keeps a copy of the header (the tag body is a view valid for the call only)', () => {
    const feed = new SoundFeed();
    const chunk = config.slice();
    feed.tag(chunk, 0);
    chunk.fill(0);
    const s = sink();
    feed.attach(s);
    expect(s.got[0]![0]).toEqual([0xaf, 0x00, 0x11, 0x90]);
  });

  it('forgets the header on a new connection and stops handing on when detached', () => {
    const feed = new SoundFeed();
    feed.tag(config, 0);
    feed.reset();
    const s = sink();
    feed.attach(s);
    expect(s.got).toEqual([]);
    feed.attach(null);
    feed.tag(frame(3), 64);
    expect(s.got).toEqual([]);
  });
});
