import type { ChildProcess } from 'node:child_process';
import { lstat, mkdir, chown } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import {
  FILE_LIST_MAX_BYTES,
  FILE_LIST_MAX_ENTRIES,
  fileNameProblem,
  type ErrorCode,
  type RoomFile,
} from '@boxroom/contracts';
import type { DesktopIdentity } from '../desktop/desktop-user.js';
import type { Logger } from '../logger.js';
import { parseByteRange, type ByteSpan } from './byte-range.js';
import { spawnFilesWorker, UPLOAD_TEMP_PREFIX, type WorkerOp } from './files-worker.js';

export class FilesError extends Error {
  override name = 'FilesError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface RoomFilesOptions {
  dir: string;
  identity: DesktopIdentity;
  maxBytes: number;
  quotaBytes: number;
  log: Logger;
  /** the most files a listing names (default FILE_LIST_MAX_ENTRIES) */
  listMaxEntries?: number;
  /** the most bytes of a worker's JSON answer taken (default FILE_LIST_MAX_BYTES); more: refused */
  answerMaxBytes?: number;
}

/** What a download sends: the whole file (200) or one span of it (206). */
export interface FileDownload {
  size: number;
  modifiedAt: string;
  span: ByteSpan | null;
  body: Readable;
}

const WORKER_ERRORS: Record<string, ErrorCode> = {
  not_found: 'not_found',
  not_a_file: 'not_found',
  too_large: 'too_large',
  conflict: 'conflict',
  bad_request: 'bad_request',
};

/** The agent's own check of a name (the dashboard checked it first): also no name of our temp files. */
export function checkFileName(name: string): void {
  const problem =
    fileNameProblem(name) ??
    (name.startsWith(UPLOAD_TEMP_PREFIX) ? `a file name must not start with ${UPLOAD_TEMP_PREFIX}` : null);
  if (problem) throw new FilesError('bad_request', problem);
}

/**
 * The room's files folder. Every read and write of it is a worker run as the desktop user
 * (files-worker.ts), so a name the desktop planted cannot make the agent's rights reach anything.
 * Uploads are bounded twice: BOXROOM_FILE_MAX_BYTES per file and BOXROOM_FILES_QUOTA_BYTES for the
 * folder, counted while the bytes stream (what is there plus every upload under way), so uploads
 * cannot fill the host's disk; on docker the folder is also a tmpfs of the quota's size.
 */
export class RoomFiles {
  private readonly log: Logger;
  /** bytes received so far by each upload under way */
  private readonly inflight = new Map<symbol, number>();

  constructor(private readonly o: RoomFilesOptions) {
    this.log = o.log.child({ mod: 'room-files' });
  }

  get folder(): string {
    return this.o.dir;
  }

  private preparing: Promise<void> | null = null;

  /**
   * Makes the folder once (the desktop user's, 0700) unless the runtime made it (docker's tmpfs). Asked
   * before each operation: the desktop's dir it may live in is made when the desktop first starts.
   */
  private prepare(): Promise<void> {
    this.preparing ??= this.makeFolder().catch((err: unknown) => {
      this.preparing = null;
      this.log.warn({ err }, 'files folder not available');
      throw new FilesError('unavailable', "the room's files folder is not there yet");
    });
    return this.preparing;
  }

  private async makeFolder(): Promise<void> {
    const st = await lstat(this.o.dir).catch(() => null);
    if (st && !st.isDirectory()) throw new Error(`${this.o.dir} is not a directory`);
    if (st) return;
    await mkdir(this.o.dir, { mode: 0o700 });
    const id = this.o.identity;
    if (id.isolation === 'desktop-user') await chown(this.o.dir, id.user.uid, id.user.gid);
  }

  /**
   * The folder's files by name: the newest `listMaxEntries` of them (`truncated` when there are more)
   * and the bytes all of them use.
   */
  async list(): Promise<{ files: RoomFile[]; used: number; truncated: boolean }> {
    await this.prepare();
    const max = this.o.listMaxEntries ?? FILE_LIST_MAX_ENTRIES;
    const answer = (await this.answer(this.spawn('list', [String(max)]))) as {
      files: Array<{ name: string; size: number; mtimeMs: number }>;
      used: number;
      truncated?: boolean;
    };
    const files = answer.files
      .slice(0, max)
      .map((f) => ({ name: f.name, size: f.size, modifiedAt: new Date(f.mtimeMs).toISOString() }))
      .sort((a, b) => a.name.localeCompare(b.name));
    return { files, used: answer.used, truncated: answer.truncated === true };
  }

  async download(name: string, range: string | undefined): Promise<FileDownload> {
    checkFileName(name);
    await this.prepare();
    const st = (await this.answer(this.spawn('stat', [name]))) as { size: number; mtimeMs: number };
    const span = parseByteRange(range, st.size);
    if (span === 'unsatisfiable') throw new RangeNotSatisfiable(st.size);
    const { start, end } = span ?? { start: 0, end: st.size - 1 };
    const child = this.spawn('read', [name, String(start), String(Math.max(end, start))]);
    const body = child.stdout as Readable;
    // an empty file: the worker would still read one byte span; send nothing
    if (st.size === 0) {
      child.kill();
      body.resume();
    }
    body.once('close', () => child.kill());
    // the file changed between stat and read (gone, a FIFO now): the answer must not end as if whole
    child.once('exit', (code) => {
      if (code) body.destroy(new Error(`files worker read ended with code ${code}`));
    });
    return { size: st.size, modifiedAt: new Date(st.mtimeMs).toISOString(), span, body };
  }

  /**
   * Streams `body` into the folder under `name`. `length` (Content-Length) is checked against the
   * cap and the space left before a byte is read; without one the count while streaming decides.
   */
  async upload(
    name: string,
    body: Readable,
    length: number | null,
  ): Promise<{ result: 'created' | 'replaced'; bytes: number }> {
    checkFileName(name);
    const { maxBytes, quotaBytes } = this.o;
    if (length !== null && length > maxBytes)
      throw new FilesError('too_large', `a file may have at most ${maxBytes} bytes`);
    const { used } = await this.list();
    const left = () => quotaBytes - used - [...this.inflight.values()].reduce((a, b) => a + b, 0);
    if (length !== null && length > left())
      throw new FilesError('too_large', `the room's files folder has ${Math.max(0, left())} bytes left`);
    // the caller may have gone while the folder was listed: its 'close' is not coming again
    if (body.destroyed) throw new FilesError('bad_request', 'the upload was aborted');
    const key = Symbol(name);
    this.inflight.set(key, 0);
    const child = this.spawn('write', [name]);
    const answer = this.answer(child);
    const stdin = child.stdin as Writable;
    const control = child.stdio[3] as Writable;
    // A worker that ends on its own (a full disk: ENOSPC) leaves these pipes open on our side, and the
    // child's 'close' (its answer) waits for them: close them with it.
    child.once('exit', () => {
      control.destroy();
      stdin.destroy();
    });
    let received = 0;
    try {
      await new Promise<void>((resolve, reject) => {
        const stop = (err: Error) => {
          body.unpipe(stdin);
          control.destroy(); // no commit: the worker removes its temp file
          stdin.destroy();
          reject(err);
        };
        body.on('data', (chunk: Buffer) => {
          received += chunk.length;
          this.inflight.set(key, received);
          if (received > maxBytes)
            stop(new FilesError('too_large', `a file may have at most ${maxBytes} bytes`));
          else if (left() < 0)
            stop(new FilesError('too_large', `the room's files folder is full (${quotaBytes} bytes)`));
        });
        body.once('error', stop);
        let ended = false;
        body.once('close', () => {
          if (!ended) stop(new FilesError('bad_request', 'the upload was aborted'));
        });
        body.once('end', () => {
          ended = true;
          if (length !== null && received !== length)
            return stop(new FilesError('bad_request', `got ${received} bytes of ${length}`));
          stdin.end(() => control.end(`commit ${received}\n`, () => resolve()));
        });
        // writing to a worker that ended fails (EPIPE): its answer says why, and stops the upload
        stdin.on('error', () => {});
        answer.catch(stop);
        body.pipe(stdin, { end: false });
      });
      const result = (await answer) as { result: 'created' | 'replaced' };
      this.log.info({ bytes: received, result: result.result }, 'file uploaded');
      return { result: result.result, bytes: received };
    } catch (err) {
      answer.catch(() => {});
      this.log.info({ bytes: received, err }, 'upload refused');
      throw err;
    } finally {
      this.inflight.delete(key);
    }
  }

  private spawn(op: WorkerOp, args: string[]): ChildProcess {
    return spawnFilesWorker(this.o.identity, op, [this.o.dir, ...args]);
  }

  /**
   * The worker's JSON line; its `error` becomes a FilesError. An answer longer than answerMaxBytes
   * (a listing gone wrong) is not held: the worker is killed and the call refused.
   */
  private answer(child: ChildProcess): Promise<unknown> {
    const maxBytes = this.o.answerMaxBytes ?? FILE_LIST_MAX_BYTES;
    return new Promise((resolve, reject) => {
      const out: Buffer[] = [];
      let outBytes = 0;
      let tooLong = false;
      let errText = '';
      child.stdout?.on('data', (b: Buffer) => {
        if (tooLong) return;
        outBytes += b.length;
        if (outBytes <= maxBytes) return void out.push(b);
        tooLong = true;
        out.length = 0;
        child.kill('SIGKILL');
      });
      child.stderr?.setEncoding('utf8').on('data', (s: string) => (errText = (errText + s).slice(-2000)));
      child.once('error', reject);
      child.once('close', (code) => {
        if (tooLong) {
          this.log.warn({ maxBytes }, 'files worker answer too long: refused');
          return reject(new FilesError('internal', "the room's answer was too long"));
        }
        let v: { error?: string; message?: string } | null;
        try {
          const line = Buffer.concat(out).toString('utf8').split('\n')[0] ?? '';
          v = JSON.parse(line) as { error?: string; message?: string } | null;
        } catch {
          v = null; // no answer
        }
        if (v && typeof v.error === 'string')
          return reject(new FilesError(WORKER_ERRORS[v.error] ?? 'internal', v.message ?? v.error));
        if (code !== 0 || !v) {
          this.log.warn({ code, stderr: errText.slice(-500) }, 'files worker failed');
          return reject(new FilesError('internal', 'the room could not do that'));
        }
        resolve(v);
      });
    });
  }
}

/** 416: the range starts past the end; the answer says how big the file is. */
export class RangeNotSatisfiable extends FilesError {
  constructor(readonly size: number) {
    super('range_not_satisfiable', `the range is outside the file (${size} bytes)`);
  }
}
