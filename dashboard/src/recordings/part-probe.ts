import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { PartMedia } from './hls-playlist.js';
import { INIT_SEGMENT, partDirName } from './recorder-argv.js';

/** ffprobe's answer this long at most (one segment is read). */
const PROBE_TIMEOUT_MS = 10_000;

/**
 * Where a part's media end, in recording seconds: the last packet's time plus its duration, read
 * from its last segment (parts are written with their offset, so times are the recording's own).
 * The playlist's EXTINF of a last segment is not to be trusted (ffmpeg's HLS muxer cuts it short),
 * and the next part's offset must not overlap this one. null: the part has no segment.
 */
export function partEndS(dir: string, part: PartMedia, ffprobe = 'ffprobe'): Promise<number | null> {
  const last = part.segments.at(-1);
  if (!last) return Promise.resolve(null);
  const partDir = join(dir, partDirName(part.n));
  return new Promise((resolve) => {
    execFile(
      ffprobe,
      [
        '-v',
        'error',
        '-show_entries',
        'packet=pts_time,duration_time',
        '-of',
        'csv=p=0',
        `concat:${join(partDir, INIT_SEGMENT)}|${join(partDir, last.uri)}`,
      ],
      { timeout: PROBE_TIMEOUT_MS, maxBuffer: 8 * 1024 * 1024 },
      (err, stdout) => {
        if (err) return resolve(null);
        let end = 0;
        for (const line of stdout.split('\n')) {
          const [pts, dur] = line.split(',').map(Number);
          if (Number.isFinite(pts)) end = Math.max(end, pts! + (Number.isFinite(dur) ? dur! : 0));
        }
        resolve(end > 0 ? Math.round(end * 1000) / 1000 : null);
      },
    );
  });
}
