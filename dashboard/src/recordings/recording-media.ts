import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logger.js';
import { runFfmpeg, type Spawn } from './ffmpeg-process.js';
import { buildPlaylist, segmentsAround } from './hls-playlist.js';
import type { RecordingEntry } from '../store/recording-entry.js';
import { readMedia } from './recording-writer.js';
import { INIT_SEGMENT, exportArgs, frameArgs, partDirName } from './recorder-argv.js';
import { writeFile } from 'node:fs/promises';

export const EXPORT_FILE = 'recording.mp4';
const FRAMES_DIR = 'frames';
/** Frame previews are cached per this step of media time. */
const FRAME_STEP_MS = 100;

/**
 * What is made of a recording's files on request: its playlist, one MP4 (remuxed, cached once the
 * recording ended) and single frames (decoded, cached). One export per recording at a time.
 */
export class RecordingMedia {
  private readonly exports = new Map<string, Promise<string>>();

  constructor(
    private readonly root: string,
    private readonly spawn: Spawn,
    private readonly log: Logger,
  ) {}

  dirOf(id: string): string {
    return join(this.root, id);
  }

  async playlist(e: RecordingEntry, uri: (path: string) => string): Promise<string> {
    const media = await readMedia(this.dirOf(e.id), e.parts);
    return buildPlaylist(media, e.state !== 'recording', uri);
  }

  /** The MP4 of the whole recording: made once after it ended; while it runs, made afresh each time. */
  async export(e: RecordingEntry): Promise<{ path: string; temporary: boolean }> {
    const dir = this.dirOf(e.id);
    const done = e.state !== 'recording';
    const out = join(dir, EXPORT_FILE);
    if (done && (await exists(out))) return { path: out, temporary: false };
    const key = done ? e.id : `${e.id}:${Date.now()}`;
    let job = this.exports.get(key);
    if (!job) {
      job = this.make(e, done ? out : join(dir, `export-${Date.now()}.mp4`)).finally(() =>
        this.exports.delete(key),
      );
      this.exports.set(key, job);
    }
    return { path: await job, temporary: !done };
  }

  /** The decoded frame at media time `t` (s) as a JPEG file; null past the end. */
  async frame(e: RecordingEntry, t: number): Promise<string | null> {
    const dir = this.dirOf(e.id);
    const ms = Math.round((t * 1000) / FRAME_STEP_MS) * FRAME_STEP_MS;
    const out = join(dir, FRAMES_DIR, `${ms}.jpg`);
    if (await exists(out)) return out;
    const media = await readMedia(dir, e.parts);
    const at = segmentsAround(
      media.map((m, i) => ({ ...m, offsetS: e.parts[i]!.offsetS })),
      ms / 1000,
    );
    if (!at) return null;
    const partDir = join(dir, partDirName(at.n));
    await mkdir(join(dir, FRAMES_DIR), { recursive: true });
    const tmp = `${out}.${process.pid}.tmp.jpg`;
    try {
      await runFfmpeg(
        this.spawn,
        frameArgs({
          init: join(partDir, INIT_SEGMENT),
          segments: at.files.map((f) => join(partDir, f)),
          atS: ms / 1000,
          out: tmp,
        }),
        20_000,
      );
      if (!(await exists(tmp))) return null; // past the last frame: ffmpeg wrote nothing
      await rename(tmp, out);
    } finally {
      await rm(tmp, { force: true });
    }
    return out;
  }

  /** Warm the download of a recording that just ended (stop to downloadable stays short). */
  prepare(e: RecordingEntry): void {
    void this.export(e).catch((err: unknown) => this.log.warn({ err, recording: e.id }, 'export failed'));
  }

  async remove(id: string): Promise<void> {
    await rm(this.dirOf(id), { recursive: true, force: true });
  }

  private async make(e: RecordingEntry, out: string): Promise<string> {
    const dir = this.dirOf(e.id);
    const playlist = join(dir, `export-${process.pid}-${Date.now()}.m3u8`);
    await writeFile(playlist, await this.playlist({ ...e, state: 'complete' }, (p) => p));
    const tmp = `${out}.tmp.mp4`;
    try {
      await runFfmpeg(this.spawn, exportArgs({ playlist, out: tmp }));
      await rename(tmp, out);
    } finally {
      await rm(playlist, { force: true });
      await rm(tmp, { force: true });
    }
    this.log.info({ recording: e.id }, 'recording exported as MP4');
    return out;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
