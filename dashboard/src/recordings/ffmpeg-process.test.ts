import { spawn } from 'node:child_process';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { FfmpegPart } from './ffmpeg-process.js';

const log = pino({ level: 'silent' });

/** A stand-in for ffmpeg that reads nothing until it is told to (a full pipe), then exits. */
const stalled = () =>
  spawn(process.execPath, ['-e', 'setTimeout(() => process.stdin.resume(), 300)'], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });

describe('FfmpegPart.onDrain', () => {
  it('keeps one drain listener however often the source pauses, and releases every waiter', async () => {
    let child: ReturnType<typeof stalled> | null = null;
    const part = new FfmpegPart(
      () => {
        child = stalled();
        return child;
      },
      [],
      log,
    );
    const big = Buffer.alloc(1024 * 1024);
    while (part.write(big));
    let released = 0;
    for (let i = 0; i < 20; i++) part.onDrain(() => released++);
    expect(child!.stdin!.listenerCount('drain')).toBeLessThanOrEqual(1);
    await part.finish();
    expect(released).toBe(20);
    // a waiter that comes after the end is released at once
    part.onDrain(() => released++);
    expect(released).toBe(21);
  });
});
