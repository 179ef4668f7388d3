import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Frames are compared at this size, in gray: enough to see a line of typed text appear. */
const W = 320;
const H = 180;

/** A JPEG decoded to W x H gray pixels (ffmpeg: no image library in the tests). */
export async function grayPixels(jpeg: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-f',
        'image2pipe',
        '-i',
        'pipe:0',
        '-vf',
        `scale=${W}:${H}`,
        '-pix_fmt',
        'gray',
        '-f',
        'rawvideo',
        'pipe:1',
      ],
      { encoding: 'buffer', maxBuffer: W * H * 2 },
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    );
    child.stdin!.end(jpeg);
  });
}

/** Share of pixels that differ by more than a JPEG's noise (0..1). */
export function changedShare(a: Buffer, b: Buffer): number {
  let n = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (Math.abs(a[i]! - b[i]!) > 40) n++;
  return n / Math.min(a.length, b.length);
}

export interface Probe {
  codecs: string[];
  durationS: number;
}

/** ffprobe of a media file: its streams' codecs and its duration. */
export async function probe(path: string): Promise<Probe> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'format=duration:stream=codec_name',
    '-of',
    'json',
    path,
  ]);
  const j = JSON.parse(stdout) as { streams: Array<{ codec_name: string }>; format: { duration: string } };
  return { codecs: j.streams.map((s) => s.codec_name), durationS: Number(j.format.duration) };
}

/** The pids of ffmpeg children of `parent` whose command line mentions `needle` (the recorder's part). */
export function ffmpegChildren(parent: number, needle: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parent) continue;
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (cmd[0]?.endsWith('ffmpeg') && cmd.some((a) => a.includes(needle))) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
