// boxroom-capture on its own (real Xvfb, libx264, ffprobe): the FLV it writes on its stdout, its
// arguments, and that its sound encoder never outlives it. The room-level behaviour (the agent's
// merge, viewers, latency) is in capture.int.test.ts.
import { type ChildProcess, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlvReader, FLV_TAG_SCRIPT, FLV_TAG_VIDEO, type FlvTag } from '../../../test/support/flv-reader.js';
import {
  childrenOf,
  freeDisplay,
  ProcessGroup,
  sleep,
  startXvfb,
  waitForExit,
} from '../../../test/support/processes.js';
import { KEYFRAME_INTERVAL_S, captureArgv, streamClockBase } from './encoder-argv.js';

const BIN = fileURLToPath(new URL('../../dist/boxroom-capture', import.meta.url));
const WIDTH = 640;
const HEIGHT = 360;
const FPS = 30;

/** Alive and not a zombie (an exited child not reaped yet still has a /proc entry). */
function running(pid: number): boolean {
  if (!existsSync(`/proc/${pid}/stat`)) return false;
  return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

describe('boxroom-capture encodes the screen into an FLV on its stdout (real Xvfb and libx264)', () => {
  const procs = new ProcessGroup();
  const dir = mkdtempSync(join(tmpdir(), 'boxroom-capture-enc-'));
  let display: number;

  const spawnCapture = (extra: { sound?: string[] } = {}): ChildProcess => {
    const { command, args } = captureArgv({
      bin: BIN,
      display,
      width: WIDTH,
      height: HEIGHT,
      fps: FPS,
      clockBase: streamClockBase(),
      ...(extra.sound ? { sound: { command: extra.sound[0]!, args: extra.sound.slice(1) } } : {}),
    });
    // fd 3 is the sound's pipe, as the supervisor gives the unit one
    return procs.spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  };

  beforeAll(async () => {
    display = freeDisplay(230);
    await startXvfb(procs, display, WIDTH, HEIGHT);
  });

  afterAll(async () => {
    await procs.killAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes H.264 (constrained baseline, no B-frames) that ffprobe and ffmpeg read: sequence header, metadata, keyframes by time', async () => {
    // before the spawn: the clock base is taken as the command line is built, and the spawn itself
    // takes a fork's time (more on a loaded machine)
    const startedAt = performance.now();
    const capture = spawnCapture();
    const chunks: Buffer[] = [];
    const reader = new FlvReader({ keepData: true });
    capture.stdout!.on('data', (c: Buffer) => {
      chunks.push(c);
      reader.push(c);
    });
    // changes, then a still screen: keepalive frames and the keyframe cadence
    const changedAt: number[] = [];
    for (const colour of ['#ff0000', '#00ff00', '#0000ff', '#808080']) {
      await sleep(300);
      execFileSync('xsetroot', ['-display', `:${display}`, '-solid', colour]);
      changedAt.push(performance.now());
    }
    await sleep(2200);
    capture.kill('SIGTERM');
    expect(await waitForExit(capture)).toBe(0); // a clean end: nothing is held back in the encoder
    expect(reader.failed).toBeNull();
    expect(reader.header).toMatchObject({ version: 1, hasVideo: true, hasAudio: false });

    const [meta, config, ...frames] = reader.tags;
    expect(meta!.type).toBe(FLV_TAG_SCRIPT);
    const metaText = meta!.data!.toString('latin1');
    for (const key of [
      'onMetaData',
      'width',
      'height',
      'framerate',
      'videocodecid',
      'boxroom-capture (x264)',
    ])
      expect(metaText).toContain(key);
    // the AVC sequence header: an AVCDecoderConfigurationRecord with one SPS and one PPS
    expect(config).toMatchObject({
      type: FLV_TAG_VIDEO,
      frameType: 1,
      codecId: 7,
      avcPacketType: 0,
      timestamp: 0,
    });
    const rec = config!.data!.subarray(5);
    expect(rec[0]).toBe(1); // configurationVersion
    expect(rec[1]).toBe(66); // profile_idc: baseline (x264's ultrafast has no CABAC, no 8x8 transform)
    expect(rec[4]).toBe(0xff); // 4-byte NAL unit lengths
    expect(rec[5]).toBe(0xe1); // one SPS
    expect(rec[8]! & 0x1f).toBe(7); // ... which is an SPS

    expect(frames.length).toBeGreaterThan(8);
    const isKey = (t: FlvTag) => t.frameType === 1;
    expect(isKey(frames[0]!)).toBe(true);
    for (const t of frames) {
      expect(t).toMatchObject({ type: FLV_TAG_VIDEO, codecId: 7, avcPacketType: 1 });
      expect(t.data!.readUIntBE(2, 3)).toBe(0); // composition time 0: no B-frames
      // AVCC: the first NAL unit's 4-byte length fits in the tag
      expect(t.data!.readUInt32BE(5)).toBeLessThanOrEqual(t.size - 9);
    }
    for (let i = 1; i < frames.length; i++)
      expect(frames[i]!.timestamp).toBeGreaterThan(frames[i - 1]!.timestamp);
    // each change is out at once (x264 holds no frame back): a frame carrying it (the whole screen
    // in a new colour, far more than a repeat's few dozen bytes) within 150 ms
    const sizes = JSON.stringify(frames.map((t) => [t.timestamp, t.size]));
    for (const at of changedAt) {
      const next = frames.find((t) => t.receivedAt > at && t.size > 300);
      expect(next, sizes).toBeDefined();
      expect(next!.receivedAt - at, sizes).toBeLessThan(150);
    }
    // stamped on the clock base (the wall clock 0.1 s before the spawn): the first frame near 100 ms
    expect(frames[0]!.timestamp).toBeGreaterThanOrEqual(100);
    expect(frames[0]!.timestamp).toBeLessThan(100 + (frames[0]!.receivedAt - startedAt) + 50);
    // a keyframe about every KEYFRAME_INTERVAL_S of media time, never closer, on a still screen too
    const keys = frames.filter(isKey).map((t) => t.timestamp);
    expect(keys.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < keys.length; i++) {
      expect(keys[i]! - keys[i - 1]!).toBeGreaterThanOrEqual(KEYFRAME_INTERVAL_S * 1000 - 1000 / FPS);
      expect(keys[i]! - keys[i - 1]!).toBeLessThanOrEqual(KEYFRAME_INTERVAL_S * 1000 + 550);
    }

    const file = join(dir, 'capture.flv');
    writeFileSync(file, Buffer.concat(chunks));
    const probe = JSON.parse(
      execFileSync('ffprobe', [
        ...['-v', 'error', '-select_streams', 'v', '-of', 'json'],
        ...['-show_entries', 'stream=codec_name,profile,width,height,has_b_frames,pix_fmt', file],
      ]).toString(),
    ) as { streams: Record<string, unknown>[] };
    expect(probe.streams).toEqual([
      {
        codec_name: 'h264',
        profile: 'Constrained Baseline',
        width: WIDTH,
        height: HEIGHT,
        has_b_frames: 0,
        pix_fmt: 'yuv420p',
      },
    ]);
    // every frame decodes, without a warning. Timestamps pass through on the stream's 1 ms clock: a
    // change right after a repeat goes out at once (21 ms apart, say), and ffmpeg's default output clock
    // of 1/fps would give both the same tick and warn about its own muxer, not about this stream.
    const decode = spawnSync(
      'ffmpeg',
      [
        ...['-v', 'warning', '-nostdin', '-i', file],
        ...['-fps_mode', 'passthrough', '-enc_time_base', '1/1000', '-f', 'null', '-'],
      ],
      { encoding: 'utf8' },
    );
    expect(decode.status).toBe(0);
    expect(decode.stderr).toBe('');
  });

  it('refuses bad arguments with its usage (exit 2) before it touches the display', () => {
    const base = ['--display', `:${display}`, '--fps', '30'];
    for (const args of [
      [...base, '--size', '641x360', '--clock-base', '1.000'], // odd: H.264 4:2:0
      [...base, '--size', '640x360', '--clock-base', ''],
      [...base, '--size', '640x360', '--clock-base', '12abc'],
      [...base, '--size', '640x360'], // no clock base
      [...base, '--size', '640x360', '--clock-base', '1.000', '--', 'ffmpeg'], // the old encoder form
    ]) {
      const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 5000 });
      expect([args.join(' '), r.status]).toEqual([args.join(' '), 2]);
      expect(r.stderr).toMatch(/^usage: boxroom-capture /);
    }
  });

  it('ends its sound encoder on SIGTERM, and the encoder goes too when boxroom-capture is killed outright', async () => {
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      const capture = spawnCapture({ sound: ['sleep', '60'] });
      let sound: number | undefined;
      for (let i = 0; i < 100 && sound === undefined; i++) {
        await sleep(20);
        sound = childrenOf(capture.pid!)[0];
      }
      expect(sound).toBeGreaterThan(0);
      capture.kill(signal);
      const status = await waitForExit(capture);
      expect(status).toBe(signal === 'SIGTERM' ? 0 : 'SIGKILL');
      // SIGTERM: ended and reaped by boxroom-capture; SIGKILL: PR_SET_PDEATHSIG ends it (init reaps it)
      for (let i = 0; i < 100 && running(sound!); i++) await sleep(20);
      expect(running(sound!)).toBe(false);
    }
  });
});
