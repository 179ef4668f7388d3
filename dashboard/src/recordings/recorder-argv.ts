import { join } from 'node:path';

/** Segment length (s): HLS cuts at the first keyframe after it; the agent forces one every second. */
export const SEGMENT_S = 2;
export const PART_PLAYLIST = 'index.m3u8';
export const INIT_SEGMENT = 'init.mp4';

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
    '-map',
    '0:v?',
    '-map',
    '0:a?',
    '-c',
    'copy',
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
    '-map',
    '0:v?',
    '-map',
    '0:a?',
    '-c',
    'copy',
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    o.out,
  ];
}

/** The frame `intoS` seconds into one segment (its init segment before it), as a JPEG. */
export function frameArgs(o: { init: string; segment: string; intoS: number; out: string }): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-ss',
    Math.max(0, o.intoS).toFixed(3),
    '-i',
    `concat:${o.init}|${o.segment}`,
    '-frames:v',
    '1',
    '-q:v',
    '4',
    '-f',
    'image2',
    o.out,
  ];
}
