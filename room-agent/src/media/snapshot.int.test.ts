import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeDisplay, ProcessGroup, startXvfb } from '../../../test/support/processes.js';
import { isJpeg, SnapshotError, SnapshotSource } from './snapshot.js';

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

describe('SnapshotSource (real Xvfb and ffmpeg)', () => {
  const procs = new ProcessGroup();
  let display: number;

  beforeAll(async () => {
    display = freeDisplay(170);
    await startXvfb(procs, display, 640, 480);
  });

  afterAll(() => procs.killAll());

  it('returns a complete JPEG of the screen', async () => {
    const snap = new SnapshotSource({ display, width: 640, height: 480, logger });
    const jpeg = await snap.get();
    expect(jpeg.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(jpeg.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9]));
    expect(isJpeg(jpeg)).toBe(true);
  });

  it('coalesces concurrent requests into one capture and caches it briefly', async () => {
    const snap = new SnapshotSource({ display, width: 640, height: 480, logger, maxAgeMs: 250 });
    const [a, b, c] = await Promise.all([snap.get(), snap.get(), snap.get()]);
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(await snap.get()).toBe(a);
    await new Promise((r) => setTimeout(r, 300));
    expect(await snap.get()).not.toBe(a);
  });

  it('fails (and kills ffmpeg) when the capture overruns its timeout', async () => {
    const snap = new SnapshotSource({ display, width: 640, height: 480, logger, timeoutMs: 1 });
    await expect(snap.get()).rejects.toThrow(/timed out/);
  });

  it('fails cleanly for a display that does not exist', async () => {
    const snap = new SnapshotSource({ display: freeDisplay(display + 1), width: 640, height: 480, logger });
    await expect(snap.get()).rejects.toBeInstanceOf(SnapshotError);
  });
});
