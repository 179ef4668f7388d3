import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIG = { maxBuffer: 512 * 1024 * 1024, encoding: 'buffer' as const };

/** The pts (s) of every packet of a file's first `kind` stream, in file order. */
async function packetTimes(file: string, kind: 'a' | 'v'): Promise<number[]> {
  const { stdout } = await run('ffprobe', [
    ...['-v', 'error', '-select_streams', `${kind}:0`],
    ...['-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file],
  ]);
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => Number(l.split(',')[0]));
}

/**
 * When each beep starts in a file's audio timeline (s): the first sample above `threshold` of full
 * scale after at least `quietMs` below it. AAC frames are 1024 samples and the decoder gives each
 * packet exactly that many (no priming trimmed: neither FLV nor mpegts.js's MP4 says there is any), so
 * sample i lies in packet i / 1024 at pts + (i % 1024) / rate: the onset to the sample, on the
 * timestamps the file carries (not the sample count, which ignores gaps).
 */
export async function audioOnsets(
  file: string,
  rate = 48_000,
  threshold = 0.2,
  quietMs = 200,
): Promise<number[]> {
  const pts = await packetTimes(file, 'a');
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', '-i', file, '-map', '0:a:0', '-ac', '1', '-ar', String(rate), '-f', 's16le', 'pipe:1'],
    BIG,
  );
  const pcm = stdout as unknown as Buffer;
  const n = pcm.length / 2;
  if (n !== pts.length * 1024)
    throw new Error(`${file}: ${n} samples decoded from ${pts.length} AAC packets (not 1024 each)`);
  const level = threshold * 32_768;
  const quiet = (quietMs / 1000) * rate;
  const out: number[] = [];
  let lastLoud = -Infinity;
  for (let i = 0; i < n; i++) {
    if (Math.abs(pcm.readInt16LE(i * 2)) < level) continue;
    if (i - lastLoud > quiet) out.push(pts[Math.floor(i / 1024)]! + (i % 1024) / rate);
    lastLoud = i;
  }
  return out;
}

/**
 * When the screen region turns white in a file's video (s): frames whose mean grey level in `region`
 * is above 200 after one that was not. Each decoded frame is one packet (passthrough, no B-frames).
 */
export async function flashTimes(
  file: string,
  region: { x: number; y: number; w: number; h: number },
): Promise<number[]> {
  const pts = await packetTimes(file, 'v');
  const { stdout } = await run(
    'ffmpeg',
    [
      ...['-v', 'error', '-i', file, '-map', '0:v:0'],
      ...['-vf', `crop=${region.w}:${region.h}:${region.x}:${region.y},scale=1:1:flags=area`],
      ...['-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'],
    ],
    BIG,
  );
  const grey = stdout as unknown as Buffer;
  if (grey.length !== pts.length)
    throw new Error(`${file}: ${grey.length} frames from ${pts.length} packets`);
  const out: number[] = [];
  for (let i = 0; i < grey.length; i++)
    if (grey[i]! > 200 && !(i > 0 && grey[i - 1]! > 200)) out.push(pts[i]!);
  return out;
}

/**
 * Pairs each flash with the beep nearest to it (within `withinS`) and answers audio - video, ms:
 * positive when the sound comes late; null for a flash not seen or without a beep near it. Flashes and
 * beeps are a second or more apart, so a pair is never ambiguous.
 */
export function pairOffsetsMs(
  flashes: Array<number | null>,
  onsets: number[],
  withinS = 0.4,
): Array<number | null> {
  return flashes.map((v) => {
    if (v === null) return null;
    let best: number | null = null;
    for (const a of onsets)
      if (Math.abs(a - v) <= withinS && (best === null || Math.abs(a - v) < Math.abs(best - v))) best = a;
    return best === null ? null : (best - v) * 1000;
  });
}
