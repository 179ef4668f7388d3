// mpegts.js imported from its sources (so its remuxer and demuxer classes and loader module can be reached), typed
// by the package's own d.ts where it has one. Every private member used is checked by
// mpegts-internals.test.ts against the installed version.
declare module 'mpegts.js/src/mpegts.js' {
  import Mpegts from 'mpegts.js';
  export default Mpegts;
}
declare module 'mpegts.js/src/remux/mp4-remuxer.js' {
  const MP4Remuxer: {
    new (config: Record<string, unknown>): import('./low-latency-remux.js').RemuxerInternals;
    prototype: import('./low-latency-remux.js').RemuxerInternals;
  };
  export default MP4Remuxer;
}
declare module 'mpegts.js/src/demux/flv-demuxer.js' {
  const FLVDemuxer: {
    new (
      probeData: unknown,
      config: Record<string, unknown>,
    ): import('./aac-config.js').FlvDemuxerInternals & import('./audio-tap.js').FlvAudioDemuxerInternals;
    prototype: import('./aac-config.js').FlvDemuxerInternals &
      import('./audio-tap.js').FlvAudioDemuxerInternals;
    probe(data: ArrayBuffer): unknown;
  };
  export default FLVDemuxer;
}
declare module 'mpegts.js/src/io/loader.js' {
  import type Mpegts from 'mpegts.js';
  export const BaseLoader: Mpegts.BaseLoaderConstructor;
  export const LoaderStatus: Mpegts.LoaderStatus;
  export const LoaderErrors: Mpegts.LoaderErrors;
}
declare module 'mpegts.js/src/config.js' {
  export const defaultConfig: Record<string, unknown>;
}
declare module 'mpegts.js/src/remux/aac-silent.js' {
  const AAC: {
    /** one silent AAC frame for `codec` (mp4a.40.x) with `channelCount` channels, or null */
    getSilentFrame(codec: string, channelCount: number): Uint8Array | null;
  };
  export default AAC;
}
