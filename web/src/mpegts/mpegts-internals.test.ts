// @vitest-environment happy-dom
// (mpegts.js's sources read `self.navigator` when they load)
/**
 * What our patches (this directory) rely on inside mpegts.js, checked against the installed version:
 * private members of its MP4 remuxer, its loader base class and config, the source lines the Vite
 * plugin rewrites. An upgrade that changes any of them fails here, by name, instead of silently
 * playing a frame late or not at all. See README.md in this directory.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as loaderModule from 'mpegts.js/src/io/loader.js';
import MP4Remuxer from 'mpegts.js/src/remux/mp4-remuxer.js';
import FLVDemuxer from 'mpegts.js/src/demux/flv-demuxer.js';
import { defaultConfig } from 'mpegts.js/src/config.js';
import AAC from 'mpegts.js/src/remux/aac-silent.js';
import {
  audioRepairs,
  installLowLatencyRemux,
  isAac,
  setNominalFrameDurations,
  type RemuxSample,
  type RemuxerInternals,
} from './low-latency-remux.js';
import {
  NAMESPACE_EVENTS_IMPORT,
  PLAYER_SOURCES,
  WORKER_ENGINE_SOURCE,
  rewriteMpegtsSource,
} from './vite-source-interop.js';
import type { FlvDemuxerInternals } from './aac-config.js';
import { installAudioTap, setAudioTagListener, type FlvAudioDemuxerInternals } from './audio-tap.js';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = dirname(createRequire(import.meta.url).resolve('mpegts.js/package.json'));

interface Segment {
  type: string;
  sampleCount: number;
  info: { beginDts: number; endDts: number };
}

/** A remuxer as the player makes it (live), with video and AAC metadata set and segments collected. */
function remuxer(proto: { new (config: Record<string, unknown>): RemuxerInternals } = MP4Remuxer) {
  const r = new proto({ isLive: true }) as RemuxerInternals & {
    onMediaSegment: (type: string, segment: Segment) => void;
    remux(audio: Track | null, video: Track | null): void;
  };
  const segments: Segment[] = [];
  r.onMediaSegment = (_type, s) => segments.push(s);
  r._videoMeta = { refSampleDuration: 33.3 };
  return { r, segments };
}

type Track = { type: string; id: number; sequenceNumber: number; samples: RemuxSample[]; length: number };

function videoTrack(...dts: number[]): Track {
  const samples = dts.map((d) => ({
    dts: d,
    pts: d,
    cts: 0,
    isKeyframe: true,
    length: 4,
    units: [{ data: new Uint8Array(4) }],
    fileposition: 0,
  }));
  return { type: 'video', id: 1, sequenceNumber: 0, samples, length: 4 * samples.length };
}

function audioTrack(...dts: number[]): Track {
  const samples = dts.map((d) => ({ dts: d, pts: d, unit: new Uint8Array(4), length: 4 }));
  return { type: 'audio', id: 2, sequenceNumber: 0, samples, length: 4 * samples.length };
}

describe('mpegts.js version', () => {
  it('is pinned exactly in web/package.json and installed at that version', () => {
    const spec = JSON.parse(readFileSync(join(here, '../../package.json'), 'utf8')).dependencies['mpegts.js'];
    const installed = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version;
    expect(spec, 'mpegts.js must be pinned to an exact version (our patches reach its internals)').toMatch(
      /^\d+\.\d+\.\d+$/,
    );
    expect(installed).toBe(spec);
  });
});

describe('MP4Remuxer internals (low-latency-remux.ts)', () => {
  it('has the private methods it wraps, taking (track, force)', () => {
    const proto = MP4Remuxer.prototype as unknown as Record<string, unknown>;
    for (const m of ['_remuxVideo', '_remuxAudio', 'remux']) expect(proto[m], m).toBeTypeOf('function');
    expect((proto._remuxVideo as (...a: unknown[]) => void).length, '_remuxVideo arity').toBe(2);
    expect((proto._remuxAudio as (...a: unknown[]) => void).length, '_remuxAudio arity').toBe(2);
  });

  it('has the private fields it reads and writes, with their initial values', () => {
    const r = new MP4Remuxer({ isLive: true }) as unknown as Record<string, unknown>;
    const expected: Record<string, unknown> = {
      _isLive: true,
      _dtsBase: -1,
      _videoNextDts: undefined,
      _audioNextDts: undefined,
      _videoStashedLastSample: null,
      _audioStashedLastSample: null,
      _videoMeta: null,
      _audioMeta: null,
    };
    for (const [field, value] of Object.entries(expected)) {
      expect(Object.hasOwn(r, field), `MP4Remuxer has no own field ${field}`).toBe(true);
      expect(r[field], field).toBe(value);
    }
  });

  it('holds back the last sample of a batch, and a lone sample unless forced (what the patch undoes)', () => {
    const { r, segments } = remuxer();
    r.remux(null, videoTrack(1000));
    expect(segments, 'a lone sample is not remuxed').toEqual([]);
    expect(r._dtsBase, '_dtsBase is the first video dts').toBe(1000);
    const batch = videoTrack(1000, 1033);
    const last = batch.samples[1];
    r.remux(null, batch);
    expect(segments.map((s) => s.sampleCount)).toEqual([1]);
    expect(r._videoStashedLastSample, 'the last sample is stashed in _videoStashedLastSample').toBe(last);
    expect(r._videoNextDts, '_videoNextDts is the end of what was emitted').toBe(33);
  });

  it('emits a forced lone sample at originalDts - (originalDts - _videoNextDts), for floor(refSampleDuration)', () => {
    const { r, segments } = remuxer();
    r.remux(null, videoTrack(1000, 1033)); // sets _dtsBase
    r._videoStashedLastSample = null;
    r._videoNextDts = 500;
    r._remuxVideo(videoTrack(2000), true);
    const s = segments.at(-1)!;
    expect(s.sampleCount).toBe(1);
    // the patch steers where a frame lands by setting _videoNextDts, and reads the emitted dts back
    expect(s.info.beginDts).toBe(500);
    expect(r._videoNextDts).toBe(500 + Math.floor(33.3));
  });

  it('with the patch installed, every frame leaves at once with its own spacing', () => {
    class Patched extends (MP4Remuxer as unknown as { new (c: Record<string, unknown>): object }) {}
    installLowLatencyRemux(Patched.prototype as unknown as RemuxerInternals);
    const { r, segments } = remuxer(Patched as unknown as typeof MP4Remuxer);
    for (const dts of [1000, 1033, 1067, 1100]) r.remux(null, videoTrack(dts));
    expect(segments.map((s) => s.sampleCount)).toEqual([1, 1, 1, 1]);
    expect(segments.map((s) => s.info.beginDts)).toEqual([0, 33, 67, 100]);
    expect(r._videoStashedLastSample).toBeNull();
  });

  it('a frame after a still spell lasts one nominal interval, or (setting off) the gap before it', () => {
    class Patched extends (MP4Remuxer as unknown as { new (c: Record<string, unknown>): object }) {}
    installLowLatencyRemux(Patched.prototype as unknown as RemuxerInternals);
    const spans = (nominal: boolean) => {
      setNominalFrameDurations(nominal);
      const { r, segments } = remuxer(Patched as unknown as typeof MP4Remuxer);
      for (const dts of [1000, 1033, 1533]) r.remux(null, videoTrack(dts));
      return segments.map((s) => s.info.endDts - s.info.beginDts);
    };
    try {
      // Firefox shows the next frame only when this span ends: the gap made it wait up to 500 ms
      expect(spans(true)).toEqual([34, 34, 34]);
      expect(spans(false)).toEqual([34, 34, 501]);
    } finally {
      setNominalFrameDurations(true);
    }
  });
});

describe('AAC as the FLV demuxer names it (low-latency-remux.ts isAac)', () => {
  it('the demuxer names AAC mp4a.40.<object type>, which isAac recognises', () => {
    const demuxer = readFileSync(join(packageDir, 'src/demux/flv-demuxer.js'), 'utf8');
    expect(demuxer).toContain("codec: 'mp4a.40.' + audioObjectType");
    expect(isAac('mp4a.40.2') && isAac('mp4a.40.5') && !isAac('mp3')).toBe(true);
  });

  it('with the patch installed, every AAC frame leaves at once', () => {
    class Patched extends (MP4Remuxer as unknown as { new (c: Record<string, unknown>): object }) {}
    installLowLatencyRemux(Patched.prototype as unknown as RemuxerInternals);
    const { r, segments } = remuxer(Patched as unknown as typeof MP4Remuxer);
    r._videoMeta = null;
    r._audioMeta = {
      codec: 'mp4a.40.2',
      originalCodec: 'mp4a.40.2',
      channelCount: 2,
      refSampleDuration: 21.33,
    };
    for (const dts of [1000, 1021, 1043]) r.remux(audioTrack(dts), null);
    expect(segments.map((s) => s.sampleCount)).toEqual([1, 1, 1]);
    expect(r._audioStashedLastSample).toBeNull();
  });

  it("keeps the sound on the stream's clock: silence fills a skip, a frame behind is dropped", () => {
    class Patched extends (MP4Remuxer as unknown as { new (c: Record<string, unknown>): object }) {}
    installLowLatencyRemux(Patched.prototype as unknown as RemuxerInternals);
    const { r, segments } = remuxer(Patched as unknown as typeof MP4Remuxer);
    r._videoMeta = null;
    r._audioMeta = {
      codec: 'mp4a.40.2',
      originalCodec: 'mp4a.40.2',
      channelCount: 1,
      refSampleDuration: 1024 / 48,
    };
    const before = { ...audioRepairs };
    // whole-ms stamps of 48 kHz AAC, then 3 frames missing (a capture hiccup), then one a frame behind
    for (const dts of [1000, 1021, 1043, 1064, 1149, 1170, 1149 + 21]) r.remux(audioTrack(dts), null);
    expect(audioRepairs.filled - before.filled).toBe(3);
    expect(audioRepairs.dropped - before.dropped).toBe(1);
    // the frame after the skip is emitted at its own time (within a frame), not 64 ms early
    const begins = segments.map((x) => x.info.beginDts);
    expect(begins.length).toBe(4 + 3 + 2);
    expect(Math.abs(begins[7]! - (1149 - 1000))).toBeLessThanOrEqual(1);
    // the silence is the library's own silent frame for the config (its table is what we rely on)
    expect(AAC.getSilentFrame('mp4a.40.2', 1)).toBeInstanceOf(Uint8Array);
  });
});

describe('the AAC config the FLV demuxer declares (aac-config.ts)', () => {
  it('rewrites AAC-LC stereo to HE-AAC outside Firefox and Android (what the patch undoes)', () => {
    const proto = FLVDemuxer.prototype as unknown as FlvDemuxerInternals;
    expect(proto._parseAACAudioSpecificConfig, '_parseAACAudioSpecificConfig').toBeTypeOf('function');
    const d = new (FLVDemuxer as unknown as { new (p: unknown, c: object): FlvDemuxerInternals })(
      FLVDemuxer.probe(new Uint8Array([0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 9]).buffer),
      {},
    );
    const lc = new Uint8Array([0x11, 0x90]);
    expect(d._parseAACAudioSpecificConfig(lc.buffer, 0, 2)).toMatchObject({
      codec: 'mp4a.40.5',
      originalCodec: 'mp4a.40.2',
      config: [0x29, 0x191, 0x88, 0],
    });
  });
});

describe('the audio tap on the FLV demuxer (audio-tap.ts)', () => {
  /** An FLV tag: type, body, timestamp (ms), and its PreviousTagSize. */
  const tag = (type: number, body: number[], ts: number) => {
    const size = body.length;
    return [
      type,
      ...[(size >> 16) & 0xff, (size >> 8) & 0xff, size & 0xff],
      ...[(ts >> 16) & 0xff, (ts >> 8) & 0xff, ts & 0xff, (ts >> 24) & 0xff],
      0,
      0,
      0,
      ...body,
      ...[0, 0, ((11 + size) >> 8) & 0xff, (11 + size) & 0xff],
    ];
  };

  it('hands every audio tag to the listener, even with the player told there is no audio', () => {
    const proto = FLVDemuxer.prototype as unknown as FlvAudioDemuxerInternals;
    expect(proto._parseAudioData, '_parseAudioData').toBeTypeOf('function');
    installAudioTap(proto);
    // header: FLV 1, audio + video, header size 9, PreviousTagSize0
    const header = [0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 9, 0, 0, 0, 0];
    const bytes = new Uint8Array([
      ...header,
      ...tag(8, [0xaf, 0x00, 0x11, 0x90], 0),
      ...tag(8, [0xaf, 0x01, 0x21, 0x10, 0x04], 0x01_02_03_04),
    ]);
    const d = new (
      FLVDemuxer as unknown as {
        new (p: unknown, c: object): FlvAudioDemuxerInternals & Record<string, unknown>;
      }
    )(FLVDemuxer.probe(bytes.buffer), {});
    const metadata: string[] = [];
    Object.assign(d, {
      overridedHasAudio: false,
      onError: () => {},
      onMediaInfo: () => {},
      onTrackMetadata: (type: string) => metadata.push(type),
      onDataAvailable: () => {},
    });
    const got: Array<[number[], number]> = [];
    setAudioTagListener((body, ts) => got.push([Array.from(body), ts]));
    try {
      (d as unknown as { parseChunks(c: ArrayBuffer, at: number): number }).parseChunks(bytes.buffer, 0);
    } finally {
      setAudioTagListener(null);
    }
    expect(got).toEqual([
      [[0xaf, 0x00, 0x11, 0x90], 0],
      // the extended timestamp byte is the high byte
      [[0xaf, 0x01, 0x21, 0x10, 0x04], 0x01_02_03_04],
    ]);
    // and mpegts.js itself still ignores the sound (video-only playback)
    expect(metadata).toEqual([]);
  });
});

describe('loader internals (prefetched-loader.ts)', () => {
  const { BaseLoader, LoaderStatus, LoaderErrors } = loaderModule;

  it('BaseLoader keeps its state in _status and _needStash, and has the methods a loader overrides', () => {
    const l = new BaseLoader('probe') as unknown as Record<string, unknown>;
    expect(l._status, '_status starts idle').toBe(LoaderStatus.kIdle);
    expect(l._needStash, '_needStash').toBe(false);
    for (const m of ['open', 'abort', 'destroy', 'isWorking'])
      expect((BaseLoader.prototype as unknown as Record<string, unknown>)[m], m).toBeTypeOf('function');
    for (const cb of ['onDataArrival', 'onError', 'onComplete']) {
      const d = Object.getOwnPropertyDescriptor(BaseLoader.prototype, cb);
      expect(d?.set, `${cb} setter`).toBeTypeOf('function');
    }
  });

  it('LoaderStatus and LoaderErrors have the values the loader reports', () => {
    expect(LoaderStatus).toMatchObject({ kIdle: 0, kConnecting: 1, kBuffering: 2, kError: 3, kComplete: 4 });
    expect(LoaderErrors).toMatchObject({
      EXCEPTION: 'Exception',
      HTTP_STATUS_CODE_INVALID: 'HttpStatusCodeInvalid',
    });
    const l = new BaseLoader('probe') as unknown as { _status: number; isWorking(): boolean };
    l._status = LoaderStatus.kBuffering;
    expect(l.isWorking(), 'isWorking follows _status').toBe(true);
  });

  it('the config takes a customLoader and deferLoadAfterSourceOpen, and the IO controller uses the loader', () => {
    expect(Object.keys(defaultConfig)).toEqual(
      expect.arrayContaining(['customLoader', 'deferLoadAfterSourceOpen']),
    );
    const io = readFileSync(join(packageDir, 'src/io/io-controller.js'), 'utf8');
    expect(io).toContain('this._loaderClass = this._config.customLoader');
  });
});

describe('sources the Vite plugin rewrites (vite-source-interop.ts)', () => {
  function sources(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? sources(join(dir, e.name)) : /\.(js|ts)$/.test(e.name) ? [join(dir, e.name)] : [],
    );
  }

  it('every namespace import of events is in the player sources, and the rewrite removes each', () => {
    const hits = sources(join(packageDir, 'src')).filter((f) =>
      readFileSync(f, 'utf8').includes(NAMESPACE_EVENTS_IMPORT),
    );
    expect(hits.length, 'the plugin has something to rewrite').toBeGreaterThan(0);
    for (const f of hits) {
      expect(f, 'outside the rewritten directory').toContain(PLAYER_SOURCES);
      expect(rewriteMpegtsSource(readFileSync(f, 'utf8'), f), f).not.toContain(NAMESPACE_EVENTS_IMPORT);
    }
  });

  it('the worker engine whose bundler warning is silenced is still where the filter looks', () => {
    expect(sources(join(packageDir, 'src/player')).some((f) => f.includes(WORKER_ENGINE_SOURCE))).toBe(true);
  });
});
