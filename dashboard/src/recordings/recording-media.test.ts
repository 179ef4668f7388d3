import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecordingEntry } from '../store/recording-entry.js';
import { recordingEntry } from '../store/state-store.suite.js';
import { until } from '../testing/until.js';
import type { Spawn } from './ffmpeg-process.js';
import { RecordingMedia } from './recording-media.js';

const log = pino({ level: 'silent' });

/** ffmpeg's stand-in: writes its output (the last argument) after a moment, as a remux or a decode would. */
function fakeFfmpeg(): { spawn: Spawn; runs: string[][]; maxAtOnce: () => number } {
  const runs: string[][] = [];
  let now = 0;
  let max = 0;
  const script = "setTimeout(() => require('fs').writeFileSync(process.argv.at(-1), 'x'), 150)";
  return {
    runs,
    maxAtOnce: () => max,
    spawn: (args) => {
      runs.push(args);
      max = Math.max(max, ++now);
      const child = spawn(process.execPath, ['-e', script, '--', ...args], {
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      child.once('close', () => now--);
      return child;
    },
  };
}

describe('RecordingMedia', () => {
  let root = '';
  let entry: RecordingEntry;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'recording-media-'));
    entry = {
      ...recordingEntry('r1', 1000),
      durationS: 10,
      parts: [{ n: 0, offsetS: 0, wallStartMs: 1000 }],
    };
    const part = join(root, 'r1', 'p0');
    await mkdir(part, { recursive: true });
    const segments = Array.from({ length: 10 }, (_, i) => `#EXTINF:1.000,\nseg${i}.m4s`).join('\n');
    await writeFile(join(part, 'index.m3u8'), `#EXTM3U\n${segments}\n`);
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('shares one export of a running recording between the requests of a few seconds, then removes it', async () => {
    const ff = fakeFfmpeg();
    const media = new RecordingMedia(root, ff.spawn, log, 300);
    const [a, b] = await Promise.all([media.export(entry), media.export(entry)]);
    const c = await media.export(entry); // a Range request right after
    expect(ff.runs).toHaveLength(1);
    expect(new Set([a.path, b.path, c.path]).size).toBe(1);
    expect(a.temporary).toBe(true);
    for (const x of [a, b, c]) x.done();
    await until(async () => !(await readdir(join(root, 'r1'))).some((f) => f.startsWith('export-')));
    // later: made anew
    const d = await media.export(entry);
    expect(ff.runs).toHaveLength(2);
    expect(d.path).not.toBe(a.path);
    d.done();
  });

  it('measures the bytes beside the segments: exports, frames, the timeline', async () => {
    const media = new RecordingMedia(root, fakeFfmpeg().spawn, log);
    await writeFile(join(root, 'r1', 'p0', 'seg0.m4s'), Buffer.alloc(5000)); // counted by the entry
    await writeFile(join(root, 'r1', 'recording.mp4'), Buffer.alloc(1000));
    await mkdir(join(root, 'r1', 'frames'));
    await writeFile(join(root, 'r1', 'frames', '100.jpg'), Buffer.alloc(200));
    expect(await media.derivedBytes('r1')).toBe(1200);
    expect(await media.derivedBytes('none')).toBe(0);
  });

  it('decodes at most two frames at once, one decode for concurrent requests of the same frame', async () => {
    const ff = fakeFfmpeg();
    const media = new RecordingMedia(root, ff.spawn, log);
    const same = await Promise.all([1, 1, 1].map((t) => media.frame(entry, t)));
    expect(ff.runs).toHaveLength(1);
    expect(new Set(same).size).toBe(1);
    await Promise.all([2, 3, 4, 5, 6].map((t) => media.frame(entry, t)));
    expect(ff.runs).toHaveLength(6);
    expect(ff.maxAtOnce()).toBe(2);
    // temporary names are unique, not the process id
    for (const args of ff.runs) expect(args.at(-1)).not.toContain(`.${process.pid}.`);
  });
});
