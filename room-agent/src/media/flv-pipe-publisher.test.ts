import { PassThrough } from 'node:stream';
import Context from 'node-media-server/src/core/context.js';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FlvPipePublisher } from './flv-pipe-publisher.js';
import { NmsStream } from './nms-stream.js';
import { newStreamSecret, streamSign } from './stream-signing.js';

const log = pino({ level: 'silent' });
const PATH = '/live/pipe-test';

/** One FLV tag with its PreviousTagSize, as ffmpeg's muxer writes it. */
function tag(type: number, ts: number, body: number[]): Buffer {
  const t = Buffer.alloc(11 + body.length + 4);
  t[0] = type;
  t.writeUIntBE(body.length, 1, 3);
  t.writeUIntBE(ts & 0xffffff, 4, 3);
  t[7] = (ts >>> 24) & 0xff;
  Buffer.from(body).copy(t, 11);
  t.writeUInt32BE(11 + body.length, 11 + body.length);
  return t;
}
const header = Buffer.from([0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 9, 0, 0, 0, 0]);
const metadata = tag(18, 0, [2, 0, 10, ...Buffer.from('onMetaData'), 8, 0, 0, 0, 0, 0, 0, 9]);
const avcHeader = tag(9, 0, [0x17, 0, 0, 0, 0, 1, 0x64, 0, 0x1f, 0xff]);
const aacHeader = tag(8, 0, [0xaf, 0, 0x11, 0x90]);
const keyframe = (ts: number) => tag(9, ts, [0x17, 1, 0, 0, 0, 0xaa, 0xbb]);
const interframe = (ts: number) => tag(9, ts, [0x27, 1, 0, 0, 0, 0xcc]);
const aac = (ts: number) => tag(8, ts, [0xaf, 1, 0x21]);

/** What a freshly started ffmpeg writes: header, metadata, sequence headers, then frames from 0. */
function ffmpegOutput(frames: number): Buffer {
  const parts = [header, metadata, avcHeader, aacHeader];
  for (let i = 0; i < frames; i++)
    parts.push(i % 10 === 0 ? keyframe(i * 40) : interframe(i * 40), aac(i * 40));
  return Buffer.concat(parts);
}

const tsOf = (t: Buffer): number => t.readUIntBE(4, 3) | (t[7]! << 24);

describe('FlvPipePublisher (NMS BroadcastServer and our tap, no ffmpeg)', () => {
  let stream: NmsStream;
  let tags: Buffer[];
  let events: string[];
  const publishers: FlvPipePublisher[] = [];

  function publish(query: Record<string, string> = {}): { pipe: PassThrough; pub: FlvPipePublisher } {
    const pipe = new PassThrough();
    const pub = new FlvPipePublisher(PATH, query, pipe, log);
    publishers.push(pub);
    pub.run();
    return { pipe, pub };
  }
  const flush = () => new Promise((r) => setImmediate(r));

  beforeEach(() => {
    Context.config = {};
    stream = new NmsStream(PATH, log);
    tags = [];
    events = [];
    stream.setTagListener((t) => tags.push(t));
    stream.on('publish', () => events.push('publish'));
    stream.on('unpublish', () => events.push('unpublish'));
  });
  afterEach(() => {
    for (const p of publishers.splice(0)) p.end();
    stream.close();
  });

  it('publishes on the first byte and hands every tag to the broadcast, however the pipe splits them', async () => {
    const { pipe, pub } = publish();
    const bytes = ffmpegOutput(20);
    pipe.write(bytes.subarray(0, 1));
    await flush();
    expect(pub.isPublishing()).toBe(true);
    expect(events).toEqual(['publish']);
    // odd chunk sizes: tags cross chunk boundaries everywhere
    for (let i = 1; i < bytes.length; i += 7) pipe.write(bytes.subarray(i, i + 7));
    await flush();
    // metadata, 2 sequence headers, 20 video + 20 audio frames, each exactly as written
    expect(tags).toHaveLength(43);
    expect(tags[0]).toEqual(metadata);
    expect(tags.at(-1)).toEqual(aac(19 * 40));
    // a joining viewer gets header, metadata, sequence headers and the GOP from the last keyframe
    const join: Buffer[] = [];
    stream.forEachJoinBuffer((b) => join.push(b));
    expect(join.slice(0, 4)).toEqual([header, metadata, aacHeader, avcHeader]);
    expect(join[4]).toEqual(keyframe(10 * 40));
    expect(stream.isPublishing()).toBe(true);
  });

  it('ends the publish when the pipe closes; a restarted ffmpeg resumes one monotonic timeline', async () => {
    const first = publish();
    first.pipe.write(ffmpegOutput(30));
    await flush();
    const lastTs = tsOf(tags.at(-1)!);
    first.pipe.destroy(); // ffmpeg exited
    await flush();
    expect(events).toEqual(['publish', 'unpublish']);
    expect(stream.isPublishing()).toBe(false);

    const second = publish();
    second.pipe.write(ffmpegOutput(5)); // timestamps from 0 again
    await flush();
    expect(events).toEqual(['publish', 'unpublish', 'publish']);
    const frames = tags.filter((t) => (t[0] === 8 || t[0] === 9) && t[12] === 1);
    const ts = frames.map(tsOf);
    expect(ts.every((v, i) => i === 0 || v >= ts[i - 1]!)).toBe(true);
    expect(Math.min(...frames.slice(60).map(tsOf))).toBeGreaterThanOrEqual(lastTs);
  });

  it('ends a publisher whose bytes are not FLV, and the next one publishes', async () => {
    const bad = publish();
    const bytes = ffmpegOutput(2);
    bytes.writeUInt32BE(999, header.length + metadata.length + avcHeader.length - 4); // a PreviousTagSize
    const cut = header.length + metadata.length;
    bad.pipe.write(bytes.subarray(0, cut));
    await flush();
    expect(events).toEqual(['publish']);
    bad.pipe.write(bytes.subarray(cut));
    await flush();
    expect(bad.pub.isPublishing()).toBe(false);
    expect(bad.pipe.destroyed).toBe(true);
    expect(events).toEqual(['publish', 'unpublish']);
    const good = publish();
    good.pipe.write(ffmpegOutput(2));
    await flush();
    expect(good.pub.isPublishing()).toBe(true);
  });

  it('passes NMS`s publish signature check only with a signature made with the secret', async () => {
    const secret = newStreamSecret();
    Context.config = { auth: { publish: true, secret } };
    const forged = publish({ sign: streamSign(PATH, newStreamSecret()) });
    forged.pipe.write(ffmpegOutput(1));
    await flush();
    expect(forged.pub.isPublishing()).toBe(false);
    expect(forged.pipe.destroyed).toBe(true);
    expect(events).toEqual([]);

    const signed = publish({ sign: streamSign(PATH, secret) });
    signed.pipe.write(ffmpegOutput(1));
    await flush();
    expect(signed.pub.isPublishing()).toBe(true);
    expect(events).toEqual(['publish']);
  });
});
