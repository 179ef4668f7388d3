import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { flvAudio, flvInterframe, flvKeyframe, flvVideoSeq } from '../testing/flv-tags.js';
import { FlvJoinCache, RELAY_GOP_MAX_BYTES } from './flv-join-cache.js';

/**
 * Real FLV from ffmpeg (H.264 + AAC, a keyframe every 5 frames, 12 frames), made with
 *   ffmpeg -f lavfi -i testsrc=size=32x32:rate=10 -f lavfi -i sine=frequency=440:sample_rate=16000 \
 *     -t 1.2 -c:v libx264 -preset ultrafast -g 5 -pix_fmt yuv420p -c:a aac -b:a 16k -ac 1 -f flv
 * and cut into the units the agent sends one per WS message: the 13-byte header, then each tag with
 * its PreviousTagSize.
 */
function sampleUnits(): Buffer[] {
  const flv = readFileSync(new URL('../testing/relay-sample.flv', import.meta.url));
  const units = [flv.subarray(0, 13)];
  for (let at = 13; at < flv.length;) {
    const size = 11 + flv.readUIntBE(at + 1, 3) + 4;
    units.push(flv.subarray(at, at + size));
    at += size;
  }
  return units;
}

const type = (b: Buffer) => b[0]! & 0x1f;
const isKeyframe = (b: Buffer) => type(b) === 9 && b[11]! >> 4 === 1 && b[12] === 1;
const isSequenceHeader = (b: Buffer) => (type(b) === 8 || type(b) === 9) && b[12] === 0;

function joinOf(cache: FlvJoinCache): Buffer[] {
  const out: Buffer[] = [];
  cache.forEachJoinBuffer((b) => out.push(b));
  return out;
}

describe('FlvJoinCache', () => {
  it('keeps header, metadata, AAC and AVC sequence headers and the GOP from the last keyframe of a real stream', () => {
    const units = sampleUnits();
    expect(units.filter(isKeyframe).length).toBeGreaterThanOrEqual(3);
    const cache = new FlvJoinCache();
    const live: Buffer[] = [];
    cache.setTagListener((t) => live.push(t));
    for (const u of units) cache.push(u);

    const join = joinOf(cache);
    const lastKey = units.findLastIndex(isKeyframe);
    // the very Buffers the upstream delivered, nothing copied
    expect(join[0]).toBe(units[0]);
    expect(type(join[1]!)).toBe(18);
    expect([type(join[2]!), join[2]![11]! >> 4, join[2]![12]]).toEqual([8, 10, 0]);
    expect([type(join[3]!), join[3]![11]! & 0x0f, join[3]![12]]).toEqual([9, 7, 0]);
    expect(join.slice(4)).toEqual(units.slice(lastKey));
    expect(join.slice(4).every((b, i) => b === units[lastKey + i])).toBe(true);
    expect(cache.joinStartsAtKeyframe()).toBe(true);
    // every unit but the header goes live, in order, as is
    expect(live).toHaveLength(units.length - 1);
    expect(live.every((b, i) => b === units[i + 1])).toBe(true);
  });

  it('before the first keyframe a joiner gets no GOP and is told to wait for one', () => {
    const units = sampleUnits();
    const cache = new FlvJoinCache();
    const firstKey = units.findIndex(isKeyframe);
    for (const u of units.slice(0, firstKey)) cache.push(u);
    expect(cache.joinStartsAtKeyframe()).toBe(false);
    const join = joinOf(cache);
    expect(join.some(isKeyframe)).toBe(false);
    expect(join.filter(isSequenceHeader)).toHaveLength(2);
    cache.push(units[firstKey]!);
    expect(cache.joinStartsAtKeyframe()).toBe(true);
    expect(joinOf(cache).at(-1)).toBe(units[firstKey]);
  });

  it('a new AVC sequence header (an encoder restart) drops the GOP until the next keyframe', () => {
    const cache = new FlvJoinCache();
    for (const u of sampleUnits()) cache.push(u);
    const restart = flvVideoSeq(2);
    cache.push(restart);
    expect(cache.joinStartsAtKeyframe()).toBe(false);
    cache.push(flvInterframe(2000));
    expect(joinOf(cache).slice(3)).toEqual([restart]);
    const key = flvKeyframe(2040);
    const audio = flvAudio(2041);
    cache.push(key);
    cache.push(audio);
    expect(joinOf(cache).slice(3)).toEqual([restart, key, audio]);
  });

  it('drops a GOP that outgrows its cap, and starts again at the next keyframe', () => {
    const cache = new FlvJoinCache();
    for (const u of sampleUnits()) cache.push(u);
    // an inter frame of 256 KiB (only its first bytes are read)
    const big = () => {
      const b = Buffer.alloc(11 + 256 * 1024 + 4, 1);
      b[0] = 9;
      b.writeUIntBE(256 * 1024, 1, 3);
      b[11] = 0x27;
      return b;
    };
    for (let i = 0; RELAY_GOP_MAX_BYTES / (256 * 1024) >= i; i++) cache.push(big());
    expect(cache.joinStartsAtKeyframe()).toBe(false);
    expect(joinOf(cache).some((b) => b.length > 1000)).toBe(false);
    cache.push(flvKeyframe(9000));
    expect(cache.joinStartsAtKeyframe()).toBe(true);
  });
});
