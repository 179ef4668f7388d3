import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logger.js';
import { runFfmpeg, type Spawn } from './ffmpeg-process.js';
import { buildPlaylist, segmentsAround } from './hls-playlist.js';
import type { RecordingEntry } from '../store/recording-entry.js';
import { readMedia } from './recording-writer.js';
import { INIT_SEGMENT, exportArgs, frameArgs, partDirName } from './recorder-argv.js';

export const EXPORT_FILE = 'recording.mp4';
const FRAMES_DIR = 'frames';
/** Frame previews are cached per this step of media time. */
const FRAME_STEP_MS = 100;
/** Frames decoded at once (each is an ffmpeg): more requests wait their turn. */
const MAX_FRAME_DECODES = 2;
/**
 * A running recording's MP4 serves every request made this soon after it was made (a player's
 * Range requests, a second download): each would otherwise remux the whole recording again.
 */
const LIVE_EXPORT_REUSE_MS = 5_000;

/** A running recording's MP4, shared by the requests that come while it is fresh. */
interface LiveExport {
  job: Promise<string>;
  readyAt: number | null;
  /** responses still sending it: the file is removed once none is and it is no longer shared */
  users: number;
  removed: boolean;
}

/** The MP4 of a recording as a download; `done` when the response ended (a temporary one may go). */
export interface ExportFile {
  path: string;
  /** made for a running recording: not cached by the client */
  temporary: boolean;
  done(): void;
}

/**
 * What is made of a recording's files on request: its playlist, one MP4 (remuxed, cached once the
 * recording ended; shared for a few seconds while it runs) and single frames (decoded, cached, a
 * few at a time). Temporary files carry random names: replicas in containers share a PID.
 */
export class RecordingMedia {
  private readonly exports = new Map<string, Promise<string>>();
  private readonly live = new Map<string, LiveExport>();
  private readonly frames = new Map<string, Promise<string | null>>();
  private decoding = 0;
  private readonly decodeQueue: Array<() => void> = [];

  constructor(
    private readonly root: string,
    private readonly spawn: Spawn,
    private readonly log: Logger,
    private readonly liveReuseMs = LIVE_EXPORT_REUSE_MS,
  ) {}

  dirOf(id: string): string {
    return join(this.root, id);
  }

  async playlist(e: RecordingEntry, uri: (path: string) => string): Promise<string> {
    const media = await readMedia(this.dirOf(e.id), e.parts);
    return buildPlaylist(media, e.state !== 'recording', uri);
  }

  /**
   * The MP4 of the whole recording: made once after it ended; while it runs, made when no fresh one
   * is there and shared by the requests of the next few seconds.
   */
  async export(e: RecordingEntry): Promise<ExportFile> {
    if (e.state === 'recording') return this.liveExport(e);
    const out = join(this.dirOf(e.id), EXPORT_FILE);
    const kept = { temporary: false, done: () => undefined };
    if (await exists(out)) return { path: out, ...kept };
    let job = this.exports.get(e.id);
    if (!job) {
      job = this.make(e, out).finally(() => this.exports.delete(e.id));
      this.exports.set(e.id, job);
    }
    return { path: await job, ...kept };
  }

  private async liveExport(e: RecordingEntry): Promise<ExportFile> {
    let x = this.live.get(e.id);
    if (x?.readyAt != null && Date.now() - x.readyAt > this.liveReuseMs) {
      // stale: no longer handed out, removed once its last response ended
      this.live.delete(e.id);
      this.releaseLive(e.id, x);
      x = undefined;
    }
    if (!x) {
      const made: LiveExport = { job: Promise.resolve(''), readyAt: null, users: 0, removed: false };
      made.job = this.make(e, join(this.dirOf(e.id), `export-${randomUUID()}.mp4`)).then(
        (path) => {
          made.readyAt = Date.now();
          return path;
        },
        (err: unknown) => {
          if (this.live.get(e.id) === made) this.live.delete(e.id);
          throw err;
        },
      );
      this.live.set(e.id, made);
      x = made;
    }
    const shared = x;
    shared.users++;
    let path: string;
    try {
      path = await shared.job;
    } catch (err) {
      shared.users--;
      throw err;
    }
    let released = false;
    return {
      path,
      temporary: true,
      done: () => {
        if (released) return;
        released = true;
        shared.users--;
        this.releaseLive(e.id, shared);
        // still shared: looked at again once it is no longer fresh
        if (shared.users === 0 && !shared.removed)
          setTimeout(() => this.releaseLive(e.id, shared, true), this.liveReuseMs).unref();
      },
    };
  }

  /** Removes a live export's file once no response sends it and it is no longer handed out. */
  private releaseLive(id: string, x: LiveExport, expired = false): void {
    if (x.users > 0 || x.removed) return;
    if (this.live.get(id) === x) {
      if (!expired) return;
      this.live.delete(id);
    }
    x.removed = true;
    void x.job.then(
      (path) => rm(path, { force: true }),
      () => undefined,
    );
  }

  /** The decoded frame at media time `t` (s) as a JPEG file; null past the end. */
  async frame(e: RecordingEntry, t: number): Promise<string | null> {
    const dir = this.dirOf(e.id);
    const ms = Math.round((t * 1000) / FRAME_STEP_MS) * FRAME_STEP_MS;
    const out = join(dir, FRAMES_DIR, `${ms}.jpg`);
    if (await exists(out)) return out;
    // concurrent requests of the same frame share one decode
    let job = this.frames.get(out);
    if (!job) {
      job = this.decodeSlot(() => this.decodeFrame(e, ms, out)).finally(() => this.frames.delete(out));
      this.frames.set(out, job);
    }
    return job;
  }

  /** Runs `fn` when fewer than MAX_FRAME_DECODES frames are being decoded. */
  private async decodeSlot<T>(fn: () => Promise<T>): Promise<T> {
    while (this.decoding >= MAX_FRAME_DECODES) await new Promise<void>((r) => this.decodeQueue.push(r));
    this.decoding++;
    try {
      return await fn();
    } finally {
      this.decoding--;
      this.decodeQueue.shift()?.();
    }
  }

  private async decodeFrame(e: RecordingEntry, ms: number, out: string): Promise<string | null> {
    const dir = this.dirOf(e.id);
    if (await exists(out)) return out; // decoded while this one waited
    const media = await readMedia(dir, e.parts);
    const at = segmentsAround(
      media.map((m, i) => ({ ...m, offsetS: e.parts[i]!.offsetS })),
      ms / 1000,
    );
    if (!at) return null;
    const partDir = join(dir, partDirName(at.n));
    await mkdir(join(dir, FRAMES_DIR), { recursive: true });
    const tmp = `${out}.${randomUUID()}.tmp.jpg`;
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

  /**
   * Bytes of a recording's directory beside its parts' segments (which its entry counts): the
   * MP4 export, running exports, cached frames, the timeline. The byte cap counts them too.
   */
  async derivedBytes(id: string): Promise<number> {
    const dir = this.dirOf(id);
    const sizes = async (d: string, descend: boolean): Promise<number> => {
      const names = await readdir(d, { withFileTypes: true }).catch(() => []);
      let sum = 0;
      for (const f of names) {
        if (f.isFile())
          sum += await stat(join(d, f.name)).then(
            (st) => st.size,
            () => 0,
          );
        else if (descend && f.isDirectory() && f.name === FRAMES_DIR)
          sum += await sizes(join(d, f.name), false);
      }
      return sum;
    };
    return sizes(dir, true);
  }

  async remove(id: string): Promise<void> {
    await rm(this.dirOf(id), { recursive: true, force: true });
  }

  private async make(e: RecordingEntry, out: string): Promise<string> {
    const dir = this.dirOf(e.id);
    const playlist = join(dir, `export-${randomUUID()}.m3u8`);
    await writeFile(playlist, await this.playlist({ ...e, state: 'complete' }, (p) => p));
    const tmp = `${out}.${randomUUID()}.tmp.mp4`;
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
