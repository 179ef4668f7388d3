import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logger.js';
import { FfmpegPart, type Spawn } from './ffmpeg-process.js';
import { isKeyframe, isVideo, type FlvTag, type PartReason, type SpliceOutput } from './flv-splice.js';
import { mediaDurationS, parsePartPlaylist, type PartMedia } from './hls-playlist.js';
import { partEndS } from './part-probe.js';
import type { RecordingPart } from '../store/recording-entry.js';
import { PART_PLAYLIST, partDirName, recordArgs } from './recorder-argv.js';

/** Tags kept to restart a dead ffmpeg where its last complete segment ended (ms of media). */
const REPLAY_KEEP_MS = 6_000;
const REPLAY_MAX_BYTES = 32 * 1024 * 1024;
/** An ffmpeg that dies this soon after its start this many times in a row: the recording gives up. */
const QUICK_DEATH_MS = 3_000;
const QUICK_DEATHS_MAX = 3;
/** The agent's encoder forces a keyframe this often (room-agent/src/desktop/encoder-argv.ts). */
const KEYFRAME_INTERVAL_MS = 1_000;

export interface WriterEvents {
  /** a part began (its index entry is in `parts`) */
  partBegan(part: RecordingPart, reason: PartReason | 'recorder-died'): void;
  /** ffmpeg keeps dying: nothing more can be written */
  failed(why: string): void;
}

interface OpenPart {
  meta: RecordingPart;
  firstTs: number;
  ffmpeg: FfmpegPart;
  /** nothing to start from was kept: the part takes tags from the next keyframe */
  waitKeyframe: boolean;
}

/**
 * Applies the splice's outputs to ffmpeg processes, one per part, in order. Keeps the last few
 * seconds of tags so that an ffmpeg that dies is followed by one that starts exactly where the dead
 * one's last complete segment ended (segments begin at keyframes): a dead recorder loses nothing
 * the dashboard still holds. Maps wall-clock times to media time for the timeline.
 */
export class RecordingWriter {
  readonly parts: RecordingPart[];
  private current: OpenPart | null = null;
  /** part operations run one after another; tag writes go straight to the current part */
  private chain: Promise<void> = Promise.resolve();
  private replay: FlvTag[] = [];
  private replayBytes = 0;
  private prelude: Buffer[] = [];
  /** the smallest (arrival - ts) seen on this connection: wall clock of a tag = ts + epochMs */
  private epochMs = Number.POSITIVE_INFINITY;
  private quickDeaths = 0;
  private stopped = false;
  private paused = false;

  constructor(
    private readonly o: {
      dir: string;
      parts: RecordingPart[];
      spawn: Spawn;
      log: Logger;
      events: WriterEvents;
      /**
       * ms since epoch the recording was asked to start: its first part begins at the keyframe
       * nearest to it (the agent's GOP cache may hold one up to a second older)
       */
      startAtMs?: number;
      /** the source's flow control: paused until `until` calls back */
      pause(until: (resume: () => void) => void): void;
    },
  ) {
    this.parts = o.parts;
  }

  /** A new connection: arrival times of its GOP cache say nothing of capture times. */
  connected(): void {
    this.epochMs = Number.POSITIVE_INFINITY;
  }

  apply(outputs: SpliceOutput[], arrivalMs: number): void {
    for (const out of outputs) {
      if (out.kind === 'tag') this.write(out.tag, arrivalMs);
      else if (out.kind === 'begin') {
        this.prelude = out.prelude;
        this.enqueue(() => this.begin(out.ts, out.reason));
      } else this.end();
    }
  }

  /** Media seconds at wall-clock `atMs` (0 before the first part; within the part it falls in). */
  mediaTimeAt(atMs: number): number {
    return mediaTimeAt(this.parts, atMs);
  }

  /** Ends the current part cleanly (stop, room ended); resolves when its ffmpeg is gone. */
  async finish(): Promise<void> {
    this.stopped = true;
    this.end();
    await this.chain;
  }

  /** Kills the current part (the dashboard stops): the recording resumes in a new part later. */
  async abandon(): Promise<void> {
    this.stopped = true;
    const part = this.current;
    this.current = null;
    await part?.ffmpeg.kill();
    await this.chain;
  }

  /**
   * Where the recording's media end now (s): the end of its last part with a segment, probed (a new
   * part starts there); the playlists' sum when the probe cannot tell.
   */
  async endS(): Promise<number> {
    const media = await this.media();
    for (let i = media.length - 1; i >= 0; i--) {
      if (media[i]!.segments.length === 0) continue;
      const end = await partEndS(this.o.dir, media[i]!);
      if (end !== null) return end;
      break;
    }
    return round3(mediaDurationS(media));
  }

  /** The parts' segments as their playlists list them now. */
  async media(): Promise<PartMedia[]> {
    return readMedia(this.o.dir, this.parts);
  }

  private write(tag: FlvTag, arrivalMs: number): void {
    this.epochMs = Math.min(this.epochMs, arrivalMs - tag.ts);
    this.keep(tag);
    const part = this.current;
    if (!part) return; // a part is starting: the replay buffer hands it these tags
    if (part.waitKeyframe) {
      if (!isKeyframe(tag)) return;
      part.waitKeyframe = false;
      part.firstTs = tag.ts;
    }
    if (part.meta.wallStartMs === 0 || Number.isFinite(this.epochMs))
      part.meta.wallStartMs = part.firstTs + this.epochMs;
    if (!part.ffmpeg.write(tag.bytes) && !this.paused) {
      this.paused = true;
      this.o.pause((resume) =>
        part.ffmpeg.onDrain(() => {
          this.paused = false;
          resume();
        }),
      );
    }
  }

  private keep(tag: FlvTag): void {
    this.replay.push(tag);
    this.replayBytes += tag.bytes.length;
    const newest = tag.ts;
    while (
      this.replay.length > 1 &&
      (newest - this.replay[0]!.ts > REPLAY_KEEP_MS || this.replayBytes > REPLAY_MAX_BYTES)
    ) {
      this.replayBytes -= this.replay.shift()!.bytes.length;
    }
  }

  private enqueue(op: () => Promise<void>): void {
    this.chain = this.chain.then(op).catch((err: unknown) => {
      this.o.log.error({ err }, 'recording part operation failed');
    });
  }

  /**
   * Starts part n+1 at the keyframe with timestamp `fromTs` (or the first one after it) and writes
   * what the replay buffer holds from there on, then the live tags follow.
   */
  private async begin(fromTs: number, reason: PartReason | 'recorder-died'): Promise<void> {
    if (this.stopped) return;
    const n = this.parts.length === 0 ? 0 : this.parts[this.parts.length - 1]!.n + 1;
    const meta: RecordingPart = { n, offsetS: await this.endS(), wallStartMs: 0 };
    const partDir = join(this.o.dir, partDirName(n));
    await mkdir(partDir, { recursive: true });
    const ffmpeg = new FfmpegPart(this.o.spawn, recordArgs({ partDir, offsetS: meta.offsetS }), this.o.log);
    let start = this.replay.findIndex((t) => isKeyframe(t) && t.ts >= fromTs);
    if (start >= 0 && n === 0 && this.o.startAtMs && Number.isFinite(this.epochMs)) {
      // A cached keyframe more than half a GOP before the start: the next one is nearer.
      const lateMs = this.o.startAtMs - (this.replay[start]!.ts + this.epochMs);
      if (lateMs > KEYFRAME_INTERVAL_MS / 2)
        start = this.replay.findIndex((t, i) => i > start && isKeyframe(t));
    }
    const firstTs = start >= 0 ? this.replay[start]!.ts : fromTs;
    if (Number.isFinite(this.epochMs)) meta.wallStartMs = firstTs + this.epochMs;
    const open: OpenPart = { meta, firstTs, ffmpeg, waitKeyframe: start < 0 };
    this.parts.push(meta);
    for (const b of this.prelude) ffmpeg.write(b);
    if (start >= 0) for (const t of this.replay.slice(start)) ffmpeg.write(t.bytes);
    this.current = open;
    this.o.log.info({ part: n, offsetS: meta.offsetS, reason, pid: ffmpeg.pid }, 'recording part began');
    this.o.events.partBegan(meta, reason);
    void ffmpeg.exited.then((exit) => this.onExit(open, exit.expected));
  }

  /** The current part takes no more tags now; its ffmpeg finishes in turn (before the next begins). */
  private end(): void {
    const part = this.current;
    this.current = null;
    if (part) this.enqueue(() => part.ffmpeg.finish());
  }

  /** ffmpeg died on its own: the next part starts where its last complete segment ended. */
  private onExit(part: OpenPart, expected: boolean): void {
    if (expected || this.current !== part || this.stopped) return;
    this.current = null;
    const quick = Date.now() - part.ffmpeg.startedAtMs < QUICK_DEATH_MS;
    this.quickDeaths = quick ? this.quickDeaths + 1 : 0;
    if (this.quickDeaths >= QUICK_DEATHS_MAX) {
      this.stopped = true;
      this.o.events.failed('the recorder ffmpeg keeps failing');
      return;
    }
    this.enqueue(async () => {
      const media = await readMedia(this.o.dir, [part.meta]);
      const writtenMs = mediaDurationS(media) * 1000;
      // The dead part's segments end where a keyframe begins: start the next one there.
      const fromTs = part.firstTs + writtenMs - 50;
      const hasKeyframe = this.replay.some((t) => isVideo(t) && isKeyframe(t) && t.ts >= fromTs);
      await this.begin(hasKeyframe ? fromTs : (this.replay.at(-1)?.ts ?? fromTs), 'recorder-died');
    });
  }
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** What the parts' playlists list now (a part whose playlist is not written yet has nothing). */
export async function readMedia(dir: string, parts: readonly RecordingPart[]): Promise<PartMedia[]> {
  return Promise.all(
    parts.map(async (p) => {
      const text = await readFile(join(dir, partDirName(p.n), PART_PLAYLIST), 'utf8').catch(() => '');
      return { n: p.n, segments: parsePartPlaylist(text) };
    }),
  );
}

/**
 * Media seconds of wall-clock `atMs`: the part that was being written then, its offset plus the
 * time since its first frame. Before the first part: 0. Pure.
 */
export function mediaTimeAt(parts: readonly RecordingPart[], atMs: number): number {
  let t = 0;
  for (const p of parts) {
    if (p.wallStartMs === 0 || p.wallStartMs > atMs) break;
    t = p.offsetS + (atMs - p.wallStartMs) / 1000;
  }
  return Math.max(0, round3(t));
}
