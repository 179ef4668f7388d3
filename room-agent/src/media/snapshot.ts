import { spawn } from 'node:child_process';
import type { Logger } from '../logger.js';

export interface SnapshotOptions {
  display: number;
  width: number;
  height: number;
  /** the screen's size now, asked at every capture (it changes when the room is resized) */
  size?: () => { width: number; height: number };
  logger: Logger;
  /** a capture this recent is served again instead of starting ffmpeg (default 250) */
  maxAgeMs?: number;
  /** a capture that takes longer is killed and fails (default 5000) */
  timeoutMs?: number;
  ffmpegPath?: string;
}

export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

/** A JPEG larger than this is not a screenshot we asked for; stop reading rather than grow. */
const MAX_JPEG_BYTES = 32 * 1024 * 1024;
const STDERR_TAIL_BYTES = 2048;

/** argv for one x11grab frame as JPEG on stdout (pure, for tests). */
export function snapshotArgs(display: number, width: number, height: number): string[] {
  return [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin'],
    ...['-f', 'x11grab', '-draw_mouse', '1', '-video_size', `${width}x${height}`, '-i', `:${display}`],
    ...['-frames:v', '1', '-c:v', 'mjpeg', '-q:v', '5', '-f', 'image2pipe', 'pipe:1'],
  ];
}

/**
 * JPEG of the room's screen for GET /snapshot.jpg. Each capture is a short ffmpeg run (~100 ms);
 * concurrent requests share one capture and a result is reused for maxAgeMs, so a burst of requests
 * (a dashboard listing rooms) costs one process.
 */
export class SnapshotSource {
  private readonly log: Logger;
  private inflight: Promise<Buffer> | null = null;
  private cached: { jpeg: Buffer; at: number } | null = null;

  constructor(private readonly opts: SnapshotOptions) {
    this.log = opts.logger.child({ mod: 'snapshot' });
  }

  get(): Promise<Buffer> {
    const maxAge = this.opts.maxAgeMs ?? 250;
    if (this.cached && Date.now() - this.cached.at < maxAge) return Promise.resolve(this.cached.jpeg);
    if (!this.inflight) {
      this.inflight = this.capture().then(
        (jpeg) => {
          this.cached = { jpeg, at: Date.now() };
          this.inflight = null;
          return jpeg;
        },
        (err: unknown) => {
          this.inflight = null;
          throw err;
        },
      );
    }
    return this.inflight;
  }

  private capture(): Promise<Buffer> {
    const { display } = this.opts;
    const { width, height } = this.opts.size?.() ?? this.opts;
    const timeoutMs = this.opts.timeoutMs ?? 5000;
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn(this.opts.ffmpegPath ?? 'ffmpeg', snapshotArgs(display, width, height), {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const chunks: Buffer[] = [];
      let size = 0;
      let stderr = '';
      let failure: SnapshotError | null = null;
      const fail = (message: string) => {
        failure ??= new SnapshotError(message);
        child.kill('SIGKILL');
      };
      const timer = setTimeout(() => fail(`snapshot timed out after ${timeoutMs} ms`), timeoutMs);
      child.stdout.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_JPEG_BYTES) fail('snapshot output too large');
        else chunks.push(chunk);
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL_BYTES);
      });
      child.once('error', (err) => {
        // a spawn failure (no ffmpeg) may never emit 'close'
        clearTimeout(timer);
        reject(failure ?? new SnapshotError(`snapshot: cannot run ffmpeg: ${err.message}`));
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        if (failure) return reject(failure);
        const jpeg = Buffer.concat(chunks, size);
        if (code !== 0 || !isJpeg(jpeg)) {
          this.log.warn({ code, signal, stderr: stderr.trim() }, 'snapshot capture failed');
          return reject(new SnapshotError(`snapshot capture failed (ffmpeg exit ${code ?? signal})`));
        }
        this.log.debug({ bytes: size, ms: Date.now() - started }, 'snapshot captured');
        resolve(jpeg);
      });
    });
  }
}

/** SOI at the start and EOI at the end: a complete JPEG, not a truncated one. */
export function isJpeg(buf: Buffer): boolean {
  const n = buf.length;
  return n > 4 && buf[0] === 0xff && buf[1] === 0xd8 && buf[n - 2] === 0xff && buf[n - 1] === 0xd9;
}
