import { join } from 'node:path';

/** Segment length (s): HLS cuts at the first keyframe after it; the agent forces one every second. */
export const SEGMENT_S = 2;
export const PART_PLAYLIST = 'index.m3u8';
export const INIT_SEGMENT = 'init.mp4';

/** Video and audio (when there is audio) copied as they are: never a second encode. */
const COPY_STREAMS = ['-map', '0:v?', '-map', '0:a?', '-c', 'copy'];

/** The directory of part `n` inside a recording's directory. */
export const partDirName = (n: number): string => `p${n}`;

/**
 * ffmpeg for one part: the FLV on stdin, copied (never re-encoded) into fMP4 HLS. Timestamps are
 * shifted by the part's offset, so the parts of a recording form one timeline (a player's
 * discontinuity handling and the MP4 export both rely on it). `temp_file`: a segment appears under
 * its name only when complete, so a killed ffmpeg leaves no half segment in its playlist.
 */
export function recordArgs(o: { partDir: string; offsetS: number }): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'warning',
    '-analyzeduration',
    '1000000',
    '-f',
    'flv',
    '-i',
    'pipe:0',
    ...COPY_STREAMS,
    '-output_ts_offset',
    o.offsetS.toFixed(3),
    '-f',
    'hls',
    '-hls_time',
    String(SEGMENT_S),
    '-hls_segment_type',
    'fmp4',
    '-hls_playlist_type',
    'event',
    '-hls_flags',
    'independent_segments+temp_file',
    '-hls_fmp4_init_filename',
    INIT_SEGMENT,
    '-hls_segment_filename',
    join(o.partDir, 'seg-%05d.m4s'),
    join(o.partDir, PART_PLAYLIST),
  ];
}

/** One MP4 of the whole recording from its VOD playlist (a local file), remuxed: `-c copy`. */
export function exportArgs(o: { playlist: string; out: string }): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-allowed_extensions',
    'ALL',
    '-i',
    o.playlist,
    ...COPY_STREAMS,
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    o.out,
  ];
}

/** A still screen repeats its frame at most this far apart (the capture's repeat is 500 ms). */
const FRAME_LOOKBACK_S = 2;

/**
 * The frame shown at recording time `atS` (the last one at or before it: a still screen sends few)
 * from a few consecutive segments of one part, their init segment first, as a JPEG. The segments
 * carry the recording's own times: `-seek_timestamp` seeks to that time as is. Every frame of the
 * last FRAME_LOOKBACK_S before `atS` is decoded; `-update` keeps the last.
 */
export function frameArgs(o: { init: string; segments: string[]; atS: number; out: string }): string[] {
  const from = Math.max(0, o.atS - FRAME_LOOKBACK_S);
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-seek_timestamp',
    '1',
    '-ss',
    from.toFixed(3),
    '-t',
    Math.max(0.05, o.atS - from + 0.001).toFixed(3),
    '-i',
    `concat:${[o.init, ...o.segments].join('|')}`,
    '-map',
    '0:v',
    '-update',
    '1',
    '-q:v',
    '4',
    '-f',
    'image2',
    o.out,
  ];
}
