import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseByteRange } from './byte-range.js';
import { FilesError, RoomFiles } from './room-files.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

// The worker runs as the agent's own uid here (no desktop user): the file logic is what is tested;
// the desktop-user boundary is the integration tests' (test/e2e/room-files.int.test.ts). Each
// operation starts a Node worker: on a loaded machine a test takes seconds.
describe('RoomFiles', { timeout: 30_000 }, () => {
  let dir: string;
  let files: RoomFiles;
  beforeEach(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'boxroom-files-')), 'files');
    files = new RoomFiles({
      dir,
      identity: { isolation: 'none', why: 'test' },
      maxBytes: 1000,
      quotaBytes: 2500,
      log: pino({ level: 'silent' }),
    });
  });
  afterEach(() => rm(join(dir, '..'), { recursive: true, force: true }));

  const code = (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (e: unknown) => (e instanceof FilesError ? e.code : String(e)),
    );

  it('streams an upload in, lists it, reads it back whole and by range; a second upload replaces', async () => {
    const data = randomBytes(900);
    expect(
      await files.upload('a b.bin', Readable.from([data.subarray(0, 400), data.subarray(400)]), 900),
    ).toEqual({ result: 'created', bytes: 900 });
    expect(sha(await readFile(join(dir, 'a b.bin')))).toBe(sha(data));
    const { files: list, used } = await files.list();
    expect(list).toEqual([{ name: 'a b.bin', size: 900, modifiedAt: expect.any(String) }]);
    expect(used).toBe(900);
    const whole = await files.download('a b.bin', undefined);
    expect(whole.span).toBeNull();
    expect(sha(Buffer.from(await whole.body.toArray().then((c) => Buffer.concat(c))))).toBe(sha(data));
    const part = await files.download('a b.bin', 'bytes=100-199');
    expect(part.span).toEqual({ start: 100, end: 199 });
    expect(Buffer.concat(await part.body.toArray())).toEqual(data.subarray(100, 200));
    expect(await files.upload('a b.bin', Readable.from([Buffer.from('x')]), null)).toEqual({
      result: 'replaced',
      bytes: 1,
    });
  });

  it('refuses names that are not plain file names, and its own temp names', async () => {
    for (const name of ['../x', 'a/b', '..', '', '.boxroom-upload-1'])
      expect(await code(files.upload(name, Readable.from([]), 0))).toBe('bad_request');
  });

  it('answers 413 over the cap (declared or counted) and over the quota, leaving no partial file', async () => {
    expect(await code(files.upload('big', Readable.from([randomBytes(10)]), 1001))).toBe('too_large');
    expect(await code(files.upload('big', Readable.from([randomBytes(600), randomBytes(600)]), null))).toBe(
      'too_large',
    );
    await files.upload('one', Readable.from([randomBytes(1000)]), 1000);
    await files.upload('two', Readable.from([randomBytes(1000)]), 1000);
    expect(await code(files.upload('three', Readable.from([randomBytes(600)]), 600))).toBe('too_large');
    expect(await code(files.upload('three', Readable.from([randomBytes(300), randomBytes(300)]), null))).toBe(
      'too_large',
    );
    expect((await readdir(dir)).sort()).toEqual(['one', 'two']);
  });

  it('an upload cut off half way leaves nothing', async () => {
    const body = new PassThrough();
    const done = code(files.upload('cut', body, 800));
    body.write(randomBytes(300));
    await new Promise((r) => setTimeout(r, 200));
    body.destroy();
    expect(await done).toBe('bad_request');
    await new Promise((r) => setTimeout(r, 200));
    expect(await readdir(dir)).toEqual([]);
  });

  it('never follows a symlink and never reads a FIFO', async () => {
    await files.list(); // makes the folder
    await writeFile(join(dir, '..', 'secret'), 'secret');
    await symlink(join(dir, '..', 'secret'), join(dir, 'link'));
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    expect((await files.list()).files).toEqual([]);
    expect(await code(files.download('link', undefined))).toBe('not_found');
    expect(await code(files.download('fifo', undefined))).toBe('not_found');
    // an upload over the symlink replaces the link, not what it points at
    expect((await files.upload('link', Readable.from([Buffer.from('new')]), 3)).result).toBe('replaced');
    expect(await readFile(join(dir, '..', 'secret'), 'utf8')).toBe('secret');
    expect(await text((await files.download('link', undefined)).body)).toBe('new');
  });
});

describe('RoomFiles listing caps', { timeout: 30_000 }, () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'boxroom-files-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const filesWith = (o: { listMaxEntries?: number; answerMaxBytes?: number }) =>
    new RoomFiles({
      dir,
      identity: { isolation: 'none', why: 'test' },
      maxBytes: 1000,
      quotaBytes: 1_000_000,
      log: pino({ level: 'silent' }),
      ...o,
    });

  it('names only the newest files past the cap, by name, says truncated; used counts them all', async () => {
    for (let i = 0; i < 7; i++) {
      await writeFile(join(dir, `f${i}`), 'x'.repeat(10));
      await utimes(join(dir, `f${i}`), 1_000 + i, 1_000 + i);
    }
    const listed = await filesWith({ listMaxEntries: 3 }).list();
    expect(listed.files.map((f) => f.name)).toEqual(['f4', 'f5', 'f6']);
    expect(listed.truncated).toBe(true);
    expect(listed.used).toBe(70);
    const all = await filesWith({}).list();
    expect(all.files).toHaveLength(7);
    expect(all.truncated).toBe(false);
  });

  it('refuses a worker answer longer than the cap instead of holding it', async () => {
    for (let i = 0; i < 20; i++) await writeFile(join(dir, `${'n'.repeat(200)}${i}`), '');
    const e = await filesWith({ answerMaxBytes: 1024 })
      .list()
      .catch((err: unknown) => err);
    expect(e).toBeInstanceOf(FilesError);
    expect((e as FilesError).code).toBe('internal');
    expect((await filesWith({}).list()).files).toHaveLength(20);
  });
});

describe('parseByteRange', () => {
  it('serves one span, clipped; ignores what it does not serve; 416 past the end', () => {
    expect(parseByteRange(undefined, 10)).toBeNull();
    expect(parseByteRange('bytes=2-4', 10)).toEqual({ start: 2, end: 4 });
    expect(parseByteRange('bytes=2-', 10)).toEqual({ start: 2, end: 9 });
    expect(parseByteRange('bytes=-3', 10)).toEqual({ start: 7, end: 9 });
    expect(parseByteRange('bytes=5-100', 10)).toEqual({ start: 5, end: 9 });
    expect(parseByteRange('bytes=0-1,3-4', 10)).toBeNull();
    expect(parseByteRange('items=0-1', 10)).toBeNull();
    expect(parseByteRange('bytes=10-', 10)).toBe('unsatisfiable');
    expect(parseByteRange('bytes=0-', 0)).toBe('unsatisfiable');
  });
});
