import { PassThrough } from 'node:stream';
import Context from 'node-media-server/src/core/context.js';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mergeMetadataBodies } from './flv-metadata.js';
import { FlvPipePublisher } from './flv-pipe-publisher.js';
import {
  aacFrame,
  aacHeader,
  avcHeader,
  ffmpegMetadata,
  flvHeader,
  flvTag,
  interframe,
  keyframe,
  tagTimestamp,
} from './flv-test-fixture.js';
import { NmsStream } from './nms-stream.js';

const log = pino({ level: 'silent' });
const PATH = '/live/merge-test';
const videoMeta = ffmpegMetadata({ duration: 0, width: 1280, height: 720, videocodecid: 7 });
const audioMeta = ffmpegMetadata({ duration: 0, audiosamplerate: 48000, stereo: true, audiocodecid: 10 });
const mergedMeta = flvTag(18, 0, mergeMetadataBodies(videoMeta, audioMeta)!);

/** ffmpeg's picture file (stdout): header with the video flag, its metadata, AVC header, frames. */
function videoFile(frames: number, from = 0): Buffer[] {
  const tags = [];
  for (let i = from; i < from + frames; i++)
    tags.push(i % 10 === 0 ? keyframe(100 + i * 33) : interframe(100 + i * 33));
  return from > 0 ? tags : [flvHeader(1), flvTag(18, 0, videoMeta), avcHeader(), ...tags];
}
/** ffmpeg's sound file (fd 3): header with the audio flag, its metadata, AAC header, frames. */
function audioFile(frames: number, from = 0): Buffer[] {
  const tags = [];
  for (let i = from; i < from + frames; i++) tags.push(aacFrame(79 + i * 21));
  return from > 0 ? tags : [flvHeader(4), flvTag(18, 0, audioMeta), aacHeader(), ...tags];
}

/** Writes `bytes` in chunks of `size`, so tags cross chunk boundaries everywhere. */
function writeSplit(pipe: PassThrough, bytes: Buffer, size: number): void {
  for (let i = 0; i < bytes.length; i += size) pipe.write(bytes.subarray(i, i + size));
}

describe('FlvTrackMerge through FlvPipePublisher (NMS BroadcastServer and our tap, no ffmpeg)', () => {
  let stream: NmsStream;
  let tags: Buffer[];
  const publishers: FlvPipePublisher[] = [];
  const flush = () => new Promise((r) => setImmediate(r));

  function publish(): { video: PassThrough; audio: PassThrough; pub: FlvPipePublisher } {
    const video = new PassThrough();
    const audio = new PassThrough();
    const pub = new FlvPipePublisher(PATH, {}, video, log, audio);
    publishers.push(pub);
    pub.run();
    return { video, audio, pub };
  }
  function join(): Buffer[] {
    const out: Buffer[] = [];
    stream.forEachJoinBuffer((b) => out.push(b));
    return out;
  }

  beforeEach(() => {
    Context.config = {};
    stream = new NmsStream(PATH, log);
    tags = [];
    stream.setTagListener((t) => tags.push(t));
  });
  afterEach(() => {
    for (const p of publishers.splice(0)) p.end();
    stream.close();
  });

  it('makes one stream of both pipes, however they split and interleave: each tag as written, in arrival order', async () => {
    const { video, audio } = publish();
    const v = Buffer.concat(videoFile(20));
    const a = Buffer.concat(audioFile(30));
    // alternate odd-sized pieces of both pipes
    for (let i = 0, j = 0; i < v.length || j < a.length; i += 13, j += 5) {
      if (i < v.length) video.write(v.subarray(i, i + 13));
      if (j < a.length) audio.write(a.subarray(j, j + 5));
    }
    await flush();
    const media = tags.filter((t) => t[0] !== 18);
    expect(media.filter((t) => t[0] === 9)).toEqual(videoFile(20).slice(2));
    expect(media.filter((t) => t[0] === 8)).toEqual(audioFile(30).slice(2));
    // timestamps are left as ffmpeg wrote them: monotonic per track
    for (const type of [8, 9]) {
      const ts = media.filter((t) => t[0] === type).map(tagTimestamp);
      expect(ts.every((x, i) => i === 0 || x >= ts[i - 1]!)).toBe(true);
    }
    // the metadata of whichever file came first, then the merged one once both have come
    expect(tags.filter((t) => t[0] === 18).at(-1)).toEqual(mergedMeta);

    // a joining viewer: one header with both flags, both tracks' metadata, both sequence headers first
    const joined = join();
    expect(joined[0]![4]).toBe(5);
    expect(joined.slice(1, 4)).toEqual([mergedMeta, aacHeader(), avcHeader()]);
    expect(joined[4]).toEqual(keyframe(100 + 10 * 33));
    // the GOP holds the sound that came after its keyframe, in arrival order
    expect(joined.slice(4).some((t) => t[0] === 8)).toBe(true);
  });

  it('publishes the picture while the sound has not started, and adds the sound when it does', async () => {
    const { video, audio, pub } = publish();
    writeSplit(video, Buffer.concat(videoFile(12)), 64);
    await flush();
    expect(pub.isPublishing()).toBe(true);
    expect(join().slice(1, 3)).toEqual([flvTag(18, 0, videoMeta), avcHeader()]);

    writeSplit(audio, Buffer.concat(audioFile(4)), 64);
    writeSplit(video, Buffer.concat(videoFile(2, 12)), 64);
    await flush();
    expect(join().slice(1, 4)).toEqual([mergedMeta, aacHeader(), avcHeader()]);
    expect(tags.slice(-8)).toEqual([mergedMeta, aacHeader(), ...audioFile(4).slice(3), ...videoFile(2, 12)]);
  });

  it('takes a new sound file on the same pipe (the sound woke up): its tags go on, one stream', async () => {
    const { video, audio, pub } = publish();
    writeSplit(video, Buffer.concat(videoFile(12)), 64);
    writeSplit(audio, Buffer.concat(audioFile(4)), 7);
    await flush();
    // the sound encoder slept and a new one writes a new file; its timestamps go on by the wall clock
    const later = [flvHeader(4), flvTag(18, 0, audioMeta), aacHeader(), aacFrame(9000), aacFrame(9021)];
    writeSplit(audio, Buffer.concat(later), 5);
    writeSplit(video, Buffer.concat(videoFile(2, 12)), 64);
    await flush();
    expect(pub.isPublishing()).toBe(true);
    const sound = tags.filter((t) => t[0] === 8);
    expect(sound).toEqual([
      aacHeader(),
      ...audioFile(4).slice(3),
      aacHeader(),
      aacFrame(9000),
      aacFrame(9021),
    ]);
    expect(tags.filter((t) => t[0] === 18).at(-1)).toEqual(mergedMeta);
    expect(join().slice(1, 4)).toEqual([mergedMeta, aacHeader(), avcHeader()]);
  });

  it('ends the publish when the sound`s pipe closes, and closes the picture`s', async () => {
    const { video, audio, pub } = publish();
    video.write(Buffer.concat(videoFile(3)));
    audio.write(Buffer.concat(audioFile(3)));
    await flush();
    expect(stream.isPublishing()).toBe(true);
    audio.destroy(); // ffmpeg exited: either pipe may be seen closing first
    await flush();
    expect(pub.isPublishing()).toBe(false);
    expect(stream.isPublishing()).toBe(false);
    expect(video.destroyed).toBe(true);
  });

  it('ends the publish when the sound`s pipe is not FLV', async () => {
    const { video, audio, pub } = publish();
    video.write(Buffer.concat(videoFile(3)));
    const bad = Buffer.concat(audioFile(3));
    bad.writeUInt32BE(999, bad.length - 4); // the last PreviousTagSize
    audio.write(bad);
    await flush();
    expect(pub.isPublishing()).toBe(false);
    expect(video.destroyed && audio.destroyed).toBe(true);
  });
});
