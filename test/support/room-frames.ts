import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { expect } from 'vitest';
import type { DashboardProcess } from './dashboard-process.js';

/** A room as DashboardProcess.createReadyRoom answers it. */
type ReadyRoom = Awaited<ReturnType<DashboardProcess['createReadyRoom']>>;

/** the width and height of the frames decoded from the stream: enough to read a colour in the middle */
const PROBE_W = 32;
const PROBE_H = 18;

/** A viewer's token of the room, through its viewer link (as a viewer joins). */
export async function viewerToken(dash: DashboardProcess, r: ReadyRoom): Promise<string> {
  const invite = new URL(r.links.viewer).hash.replace(/^#invite=/, '');
  const res = await fetch(`${dash.url}/api/rooms/${r.id}/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ invite, name: 'probe' }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

/**
 * Watches the room as a viewer does (its FLV through the dashboard) and decodes it with ffmpeg into
 * small RGB frames: resolves with the number of frames decoded until one whose middle is `rgb`
 * (within a codec's error), rejects after `timeoutMs` naming the last middle seen. The token goes in
 * a request, never on ffmpeg's command line.
 */
export async function framesUntilColour(
  dash: DashboardProcess,
  r: ReadyRoom,
  rgb: [number, number, number],
  timeoutMs = 30_000,
): Promise<number> {
  const token = await viewerToken(dash, r);
  const abort = new AbortController();
  const res = await fetch(`${dash.url}/rooms/${r.id}/stream.flv?token=${token}`, { signal: abort.signal });
  expect(res.status).toBe(200);
  const ffmpeg = spawn(
    'ffmpeg',
    [
      // no long probe: a still room sends a few hundred bytes a second, and ffmpeg would wait
      // (seconds) to fill its probe size before decoding the frames it has
      ...['-loglevel', 'error', '-probesize', '4096', '-analyzeduration', '0', '-fflags', 'nobuffer'],
      ...['-f', 'flv', '-i', 'pipe:0', '-an'],
      ...['-vf', `scale=${PROBE_W}:${PROBE_H}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  // an abort (once done) ends the body with an error, and ffmpeg's stdin with EPIPE: both expected
  const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
  body.on('error', () => {});
  ffmpeg.stdin.on('error', () => {});
  body.pipe(ffmpeg.stdin);
  const frameBytes = PROBE_W * PROBE_H * 3;
  let pending = Buffer.alloc(0);
  let frames = 0;
  let last: number[] = [];
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`no frame of ${rgb.join(',')} in ${frames} frames; last middle ${last.join(',')}`),
          ),
        timeoutMs,
      );
      ffmpeg.stdout.on('data', (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk]);
        while (pending.length >= frameBytes) {
          const frame = pending.subarray(0, frameBytes);
          pending = pending.subarray(frameBytes);
          frames++;
          const at = ((PROBE_H >> 1) * PROBE_W + (PROBE_W >> 1)) * 3;
          last = [frame[at]!, frame[at + 1]!, frame[at + 2]!];
          if (last.every((v, i) => Math.abs(v - rgb[i]!) <= 24)) {
            clearTimeout(timer);
            resolve(frames);
          }
        }
      });
      ffmpeg.on('exit', () => reject(new Error(`ffmpeg ended after ${frames} frames`)));
    });
  } finally {
    abort.abort();
    ffmpeg.kill('SIGKILL');
  }
}
