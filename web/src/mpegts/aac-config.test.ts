// @vitest-environment happy-dom
// (mpegts.js's sources read `self.navigator` when they load; happy-dom's user agent is neither
// Firefox nor Android, so the demuxer takes the branch Chromium takes)
import { describe, expect, it } from 'vitest';
import FLVDemuxer from 'mpegts.js/src/demux/flv-demuxer.js';
import { installAacConfig, type AacConfig, type FlvDemuxerInternals } from './aac-config.js';

/** A demuxer class of its own with the patch installed (the shared prototype stays as the library made it). */
function patched(): { new (p: unknown, c: Record<string, unknown>): FlvDemuxerInternals } {
  class Patched extends (FLVDemuxer as unknown as { new (p: unknown, c: Record<string, unknown>): object }) {}
  installAacConfig(Patched.prototype as unknown as FlvDemuxerInternals);
  return Patched as unknown as { new (p: unknown, c: Record<string, unknown>): FlvDemuxerInternals };
}

const FLV_HEADER = new Uint8Array([0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 9]).buffer;

function parse(cls: { new (p: unknown, c: Record<string, unknown>): FlvDemuxerInternals }, asc: number[]) {
  const d = new cls(FLVDemuxer.probe(FLV_HEADER), {});
  // at an offset, as in a real tag: the patch must read the config where the demuxer does
  const buf = new Uint8Array([0xaa, 0xaf, ...asc]).buffer;
  return d._parseAACAudioSpecificConfig(buf, 2, asc.length) as AacConfig;
}

/** What ffmpeg's AAC encoder sends for 48 kHz stereo: AAC-LC, plus a sync extension saying "no SBR". */
const LC_48K_STEREO = [0x11, 0x90, 0x56, 0xe5, 0x00];

describe('installAacConfig', () => {
  it("declares AAC-LC as AAC-LC, with the stream's own AudioSpecificConfig", () => {
    const c = parse(patched(), LC_48K_STEREO);
    expect(c).toMatchObject({ codec: 'mp4a.40.2', originalCodec: 'mp4a.40.2', samplingRate: 48_000 });
    expect(c.channelCount).toBe(2);
    expect(c.config).toEqual(LC_48K_STEREO);
  });

  it('leaves HE-AAC to mpegts.js', () => {
    // object type 5, 24 kHz core, stereo, extension 48 kHz, then AAC-LC
    const he = [0x2b, 0x11, 0x88, 0x00];
    expect(parse(patched(), he)).toEqual(parse(FLVDemuxer as never, he));
  });

  it('is installed once however often it is called', () => {
    class Twice extends (FLVDemuxer as unknown as { new (p: unknown, c: Record<string, unknown>): object }) {}
    const proto = Twice.prototype as unknown as FlvDemuxerInternals;
    installAacConfig(proto);
    const once = proto._parseAACAudioSpecificConfig;
    installAacConfig(proto);
    expect(proto._parseAACAudioSpecificConfig).toBe(once);
  });
});
