import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  FLV_HEADER as HEADER,
  flvAudio as audio,
  flvAudioSeq as aSeq,
  flvInterframe as inter,
  flvJoin as join,
  flvKeyframe as key,
  flvMeta as meta,
  flvTag as tag,
  flvVideoSeq as vSeq,
} from '../testing/flv-tags.js';
import { FlvSplice, FlvTagReader, type SpliceOutput } from './flv-splice.js';

/** What a connection's bytes turn into: `begin@ts`, `end`, and `v<ts>` / `a<ts>` for tags. */
function run(splice: FlvSplice, ...chunks: Buffer[]): string[] {
  const out: SpliceOutput[] = [];
  for (const c of chunks) out.push(...splice.push(c));
  return out.map((o) =>
    o.kind === 'begin'
      ? `begin@${o.ts}:${o.reason}`
      : o.kind === 'end'
        ? `end:${o.reason}`
        : `${o.tag.type === 9 ? 'v' : 'a'}${o.tag.ts}`,
  );
}

/** A copy in memory of its own (small buffers share Node's pool, whose `buffer` says nothing). */
const unpooled = (b: Buffer): Buffer => {
  const own = Buffer.alloc(b.length);
  b.copy(own);
  return own;
};

describe('FlvTagReader', () => {
  it('cuts tags across any chunk boundary and keeps 32-bit timestamps', () => {
    const bytes = Buffer.concat([HEADER, key(0x01020304), audio(7)]);
    const r = new FlvTagReader();
    const tags = [];
    for (let i = 0; i < bytes.length; i += 3) tags.push(...r.push(bytes.subarray(i, i + 3)));
    expect(tags.map((t) => [t.type, t.ts])).toEqual([
      [9, 0x01020304],
      [8, 7],
    ]);
    expect(r.header).toEqual(HEADER);
  });

  afterEach(() => vi.restoreAllMocks());

  it('copies a large tag arriving in small chunks once, not at every chunk', () => {
    const size = 1024 * 1024;
    const big = tag(9, 40, [0x27, 1, ...new Array<number>(size).fill(7)]);
    const r = new FlvTagReader();
    r.push(HEADER);
    const concat = vi.spyOn(Buffer, 'concat');
    const tags = [];
    for (let i = 0; i < big.length; i += 1024) tags.push(...r.push(big.subarray(i, i + 1024)));
    const copied = concat.mock.results.reduce((sum, res) => sum + (res.value as Buffer).length, 0);
    expect(tags.map((t) => [t.ts, t.bytes.length])).toEqual([[40, big.length]]);
    expect(tags[0]!.bytes.equals(big)).toBe(true);
    expect(copied).toBeLessThanOrEqual(2 * big.length);
  });

  it('hands out tags inside one chunk as views of it, without a copy', () => {
    const chunk = unpooled(Buffer.concat([HEADER, key(0), audio(7)]));
    const tags = new FlvTagReader().push(chunk);
    expect(tags).toHaveLength(2);
    for (const t of tags) expect(t.bytes.buffer).toBe(chunk.buffer);
  });

  it('refuses a stream that is not FLV', () => {
    expect(() => new FlvTagReader().push(Buffer.alloc(20, 1))).toThrow(/not an FLV/);
  });
});

describe('FlvSplice', () => {
  it('begins a part at the first keyframe with header, metadata and sequence headers before it', () => {
    const s = new FlvSplice();
    s.connected();
    const out: SpliceOutput[] = s.push(Buffer.concat([join(audio(90), inter(95)), key(100), audio(110)]));
    expect(out[0]).toMatchObject({ kind: 'begin', ts: 100 });
    const prelude = (out[0] as Extract<SpliceOutput, { kind: 'begin' }>).prelude;
    expect(Buffer.concat(prelude)).toEqual(Buffer.concat([HEADER, meta(), vSeq(), aSeq()]));
    expect(out.slice(1).map((o) => (o.kind === 'tag' ? o.tag.ts : o.kind))).toEqual([100, 110]);
  });

  it('keeps copies of metadata and sequence headers, not views of the chunk they came in', () => {
    const s = new FlvSplice();
    s.connected();
    const chunk = unpooled(join(key(0)));
    const out = s.push(chunk);
    const prelude = (out[0] as Extract<SpliceOutput, { kind: 'begin' }>).prelude;
    expect(Buffer.concat(prelude)).toEqual(Buffer.concat([HEADER, meta(), vSeq(), aSeq()]));
    for (const b of prelude) expect(b.buffer).not.toBe(chunk.buffer);
  });

  it('goes on seamlessly over a reconnection that repeats the GOP cache', () => {
    const s = new FlvSplice();
    s.connected();
    expect(run(s, join(key(0), audio(10), inter(33)))).toEqual(['begin@0:start', 'v0', 'a10', 'v33']);
    s.connected();
    // the new connection repeats from the keyframe: what was written is skipped, what follows goes on
    expect(run(s, join(key(0), audio(10), inter(33), audio(40), inter(66)))).toEqual(['a40', 'v66']);
  });

  it('waits for a keyframe when a reconnection lost frames in between', () => {
    const s = new FlvSplice();
    s.connected();
    run(s, join(key(0), inter(33)));
    s.connected();
    expect(run(s, join(key(1000), inter(1033)))).toEqual(['v1000', 'v1033']);
    s.connected();
    expect(run(s, join(inter(2033), inter(2066), key(3000)))).toEqual(['v3000']);
  });

  it('ends the part on new sequence headers and begins the next at the following keyframe', () => {
    const s = new FlvSplice();
    s.connected();
    run(s, join(key(0), inter(33)));
    expect(run(s, vSeq(2), inter(66), key(100), inter(133))).toEqual([
      'end:stream-changed',
      'begin@100:stream-changed',
      'v100',
      'v133',
    ]);
  });

  it('starts a new part when the timeline starts over, and marks a resumed recorder', () => {
    const s = new FlvSplice();
    s.connected(true);
    expect(run(s, join(key(60_000), inter(60_033)))).toEqual(['begin@60000:resumed', 'v60000', 'v60033']);
    s.connected();
    expect(run(s, join(key(0), inter(33)))).toEqual([
      'end:timeline-restarted',
      'begin@0:timeline-restarted',
      'v0',
      'v33',
    ]);
  });

  it('a lost part begins again at the next keyframe', () => {
    const s = new FlvSplice();
    s.connected();
    run(s, join(key(0)));
    s.partLost();
    expect(run(s, inter(33), key(1000))).toEqual(['begin@1000:resumed', 'v1000']);
  });
});
