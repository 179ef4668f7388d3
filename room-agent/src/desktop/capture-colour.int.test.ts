import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { get } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../../../test/support/agent-process.js';
import { until } from '../../../test/support/agent-helpers.js';
import { findRepoRoot } from '../../../test/support/repo-root.js';

/*
 * boxroom-capture converts only the changed boxes of the screen into the I420 frame it writes, so a
 * box at odd coordinates, the cursor drawn over a colour and the spot the cursor left must all come
 * out of the real encoder in the right colour. The stream is decoded by ffmpeg as a viewer receives it.
 */

const WIDTH = 640;
const HEIGHT = 360;
/** an odd-aligned box, with odd width and height: its edges share 2x2 chroma blocks with the background */
const BOX = { x: 101, y: 51, w: 97, h: 33 };
/** BT.601 limited range through a 4:2:0 encoder: flat colours come back within a few steps */
const TOLERANCE = 12;

type Rgb = [number, number, number];
const near = (a: Rgb, b: Rgb, tol = TOLERANCE) => a.every((v, i) => Math.abs(v - b[i]!) <= tol);
/** BT.601 brightness: exact per pixel in 4:2:0, where colour is shared by 2x2 pixels */
const luma = ([r, g, b]: Rgb) => 0.299 * r + 0.587 * g + 0.114 * b;

/** a pixel to check: its colour, or only its brightness (a pixel whose chroma block straddles an edge) */
interface Point {
  x: number;
  y: number;
  rgb: Rgb;
  lumaOnly?: boolean;
}
const matches = (got: Rgb, p: Point) =>
  p.lumaOnly ? Math.abs(luma(got) - luma(p.rgb)) <= TOLERANCE : near(got, p.rgb);

/** Decodes a viewer's FLV into whole RGB frames and keeps the newest one. */
class DecodedStream {
  latest: Buffer | null = null;
  frames = 0;
  private readonly ffmpeg: ChildProcessWithoutNullStreams;
  private readonly close: () => void;

  constructor(url: string) {
    this.ffmpeg = spawn('ffmpeg', [
      ...['-loglevel', 'error', '-probesize', '4096', '-analyzeduration', '0', '-fflags', 'nobuffer'],
      ...['-f', 'flv', '-i', 'pipe:0', '-an', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    ]);
    this.ffmpeg.stdin.on('error', () => {});
    const req = get(url, (res) => res.pipe(this.ffmpeg.stdin));
    req.on('error', () => {});
    this.close = () => req.destroy();
    const size = WIDTH * HEIGHT * 3;
    let pending = Buffer.alloc(0);
    this.ffmpeg.stdout.on('data', (d: Buffer) => {
      pending = Buffer.concat([pending, d]);
      while (pending.length >= size) {
        this.latest = Buffer.from(pending.subarray(0, size));
        pending = pending.subarray(size);
        this.frames++;
      }
    });
  }

  pixel(x: number, y: number): Rgb {
    const at = (y * WIDTH + x) * 3;
    return [this.latest![at]!, this.latest![at + 1]!, this.latest![at + 2]!];
  }

  /** waits for a decoded frame in which every point has its colour */
  async expect(points: Point[], what: string, timeoutMs = 5000): Promise<void> {
    await until(
      () => this.latest !== null && points.every((p) => matches(this.pixel(p.x, p.y), p)),
      timeoutMs,
      `${what}: ${points.map((p) => `(${p.x},${p.y}) ${this.latest ? this.pixel(p.x, p.y).join(',') : '-'} want ${p.rgb.join(',')}`).join('; ')}`,
    );
  }

  stop(): void {
    this.close();
    this.ffmpeg.kill('SIGKILL');
  }
}

/** The bench's X client without libraries: one override-redirect window, repainted on request. */
class ProbeWindow {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly answers: Array<() => void> = [];

  constructor(env: NodeJS.ProcessEnv) {
    this.proc = spawn(process.execPath, [join(findRepoRoot(), 'bench/lib/x11-probe-client.mjs')], { env });
    createInterface({ input: this.proc.stdout }).on('line', () => this.answers.shift()?.());
  }

  send(line: string): Promise<void> {
    return new Promise((resolve) => {
      this.answers.push(resolve);
      this.proc.stdin.write(`${line}\n`);
    });
  }

  stop(): void {
    this.proc.stdin.end('quit\n');
    this.proc.kill();
  }
}

describe('damage capture: colours through the I420 conversion', () => {
  let agent: RunningAgent;
  let probe: ProbeWindow;
  let stream: DecodedStream;
  let xdo: ChildProcessWithoutNullStreams;

  beforeAll(async () => {
    agent = await startAgent({
      BOXROOM_WIDTH: String(WIDTH),
      BOXROOM_HEIGHT: String(HEIGHT),
      BOXROOM_FPS: '30',
      BOXROOM_CAPTURE: 'damage',
    });
    await agent.waitHealthy();
    const viewer = await agent.token('vic', 'viewer');
    probe = new ProbeWindow(agent.xEnv());
    xdo = spawn('xdotool', ['-'], { env: agent.xEnv() });
    // the pointer away from the box first
    xdo.stdin.write(`mousemove ${WIDTH - 20} ${HEIGHT - 20}\n`);
    stream = new DecodedStream(`${agent.url}/stream.flv?token=${viewer}`);
    await until(() => stream.latest, 15_000, 'a first decoded frame');
  });

  afterAll(async () => {
    stream?.stop();
    probe?.stop();
    xdo?.stdin.end();
    xdo?.kill();
    if (agent && agent.proc.exitCode === null) await agent.stop();
  });

  it('an odd-aligned box arrives in its colour, edges included, and changes colour', async () => {
    const mx = BOX.x + (BOX.w >> 1);
    const my = BOX.y + (BOX.h >> 1);
    const inside = (rgb: Rgb): Point[] => [
      { x: mx, y: my, rgb },
      // the first and last columns and rows: odd coordinates, each shares its chroma with the outside
      ...[
        [BOX.x, my],
        [BOX.x + BOX.w - 1, my],
        [mx, BOX.y],
        [mx, BOX.y + BOX.h - 1],
      ].map(([x, y]) => ({ x: x!, y: y!, rgb, lumaOnly: true })),
    ];
    await probe.send(`show ${BOX.x} ${BOX.y} ${BOX.w} ${BOX.h} 000000`);
    // the app's window may map after the agent is ready, over the probe: each fill raises it again
    for (let i = 0; ; i++) {
      await probe.send('fill ff8000');
      try {
        await stream.expect(inside([255, 128, 0]), 'orange box', i < 4 ? 1000 : 5000);
        break;
      } catch (err) {
        if (i >= 4) throw err;
      }
    }
    const before = stream.pixel(BOX.x - 1, my);
    await probe.send('fill 20a0e0');
    await stream.expect(inside([32, 160, 224]), 'blue box');
    // the pixels just outside keep their brightness (give or take the decoder's chroma interpolation and
    // the encoder's ringing at a sharp edge)
    for (const [x, y] of [
      [BOX.x - 1, my],
      [BOX.x + BOX.w, my],
      [mx, BOX.y - 1],
      [mx, BOX.y + BOX.h],
    ])
      expect(Math.abs(luma(stream.pixel(x!, y!)) - luma(before)), `(${x},${y})`).toBeLessThanOrEqual(
        2 * TOLERANCE,
      );
  });

  it('draws the cursor over the box and restores what was under it when it leaves', async () => {
    await probe.send('fill ffffff');
    const mid = { x: BOX.x + (BOX.w >> 1), y: BOX.y + (BOX.h >> 1) };
    await stream.expect([{ ...mid, rgb: [255, 255, 255] }], 'white box');
    // the X cursor's hotspot is its middle: the pixels around the pointer change
    xdo.stdin.write(`mousemove ${mid.x} ${mid.y}\n`);
    const around = () =>
      [-3, -2, -1, 0, 1, 2, 3].flatMap((dy) =>
        [-3, -2, -1, 0, 1, 2, 3].map((dx) => stream.pixel(mid.x + dx, mid.y + dy)),
      );
    await until(
      () => stream.latest !== null && around().some((p) => !near(p, [255, 255, 255], 40)),
      5000,
      'the cursor drawn over the white box',
    );
    xdo.stdin.write(`mousemove ${WIDTH - 20} ${HEIGHT - 20}\n`);
    await until(
      () => stream.latest !== null && around().every((p) => near(p, [255, 255, 255])),
      5000,
      'the box white again where the cursor was',
    );
  });
});
