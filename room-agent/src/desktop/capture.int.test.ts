import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../../../test/support/agent-process.js';
import { until } from '../../../test/support/agent-helpers.js';
import { childrenOf } from '../../../test/support/processes.js';
import {
  isAacFrame,
  isAvcFrame,
  isAvcKeyframe,
  readFlvStream,
  waitForTag,
  type FlvReader,
  type FlvTag,
} from '../../../test/support/flv-reader.js';
import { CAPTURE_KEEPALIVE_MS, KEYFRAME_INTERVAL_S } from './encoder-argv.js';

const WIDTH = 1024;
const HEIGHT = 576;
const FPS = 25;

function httpFlv(
  url: string,
  opts?: { keepData?: boolean },
): Promise<{ reader: FlvReader; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = get(url, (res) => resolve({ reader: readFlvStream(res, opts), close: () => req.destroy() }));
    req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
  });
}

/** The sound encoders under boxroom-capture: the ffmpeg that writes fd 3. */
const soundEncoders = (capture: number): number[] =>
  childrenOf(capture).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('pipe:3');
    } catch {
      return false; // ended between the listing and the read
    }
  });

/** The sound sleeps after this long with nobody watching (BOXROOM_SOUND_IDLE_MS). */
const SOUND_IDLE_MS = 1500;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('damage capture: frames only when the screen changes', () => {
  let agent: RunningAgent;
  let viewer: string;
  let xdo: ChildProcessWithoutNullStreams;

  beforeAll(async () => {
    agent = await startAgent({
      BOXROOM_WIDTH: String(WIDTH),
      BOXROOM_HEIGHT: String(HEIGHT),
      BOXROOM_FPS: String(FPS),
      BOXROOM_CAPTURE: 'damage',
      BOXROOM_SOUND_IDLE_MS: String(SOUND_IDLE_MS),
    });
    await agent.waitHealthy();
    viewer = await agent.token('vic', 'viewer');
    // one xdotool for every change: no process start inside a timed window
    xdo = spawn('xdotool', ['-'], { env: agent.xEnv() });
  });

  afterAll(async () => {
    xdo?.stdin.end();
    xdo?.kill();
    if (agent && agent.proc.exitCode === null) await agent.stop();
  });

  it('encodes the picture in boxroom-capture and runs the sound`s ffmpeg under it', async () => {
    // someone watching: the sound is awake
    const s = await httpFlv(`${agent.url}/stream.flv?token=${viewer}`, { keepData: true });
    await waitForTag(s.reader, isAacFrame, 3000);
    const ffmpeg = (await agent.health()).body.processes.find((p) => p.name === 'ffmpeg')!;
    expect(readFileSync(`/proc/${ffmpeg.pid}/comm`, 'utf8').trim()).toBe('boxroom-capture');
    const kids = childrenOf(ffmpeg.pid!).map((pid) =>
      readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'),
    );
    // one child: the sound's encoder, reading the sink and writing fd 3
    expect(kids.map((argv) => argv[0])).toEqual(['ffmpeg']);
    expect(kids[0]!.filter((a) => a.startsWith('pipe:'))).toEqual(['pipe:3']);
    // the picture in the stream is boxroom-capture's own H.264: its FLV's metadata names it
    const meta = await waitForTag(s.reader, (t) => t.type === 18, 3000);
    expect(meta.data!.toString('latin1')).toContain('boxroom-capture (x264)');
    s.close();
  });

  it('lets the sound sleep while nobody watches and wakes it for a viewer: sound within 1.5 s, one timeline, no restart', async () => {
    const unit = (await agent.health()).body.processes.find((p) => p.name === 'ffmpeg')!;
    let s = await httpFlv(`${agent.url}/stream.flv?token=${viewer}`);
    const before = await waitForTag(s.reader, isAacFrame, 3000);
    s.close();
    // ended and reaped (a zombie has no command line but is still a child)
    await until(() => childrenOf(unit.pid!).length === 0, SOUND_IDLE_MS + 5000, 'the sound encoder to end');
    // the picture goes on, and the unit was not restarted
    expect(soundEncoders(unit.pid!)).toEqual([]);
    let now = (await agent.health()).body.processes.find((p) => p.name === 'ffmpeg')!;
    expect([now.pid, now.restarts, now.status]).toEqual([unit.pid, unit.restarts, 'ready']);

    const joinedAt = performance.now();
    s = await httpFlv(`${agent.url}/stream.flv?token=${viewer}`);
    const picture = await waitForTag(s.reader, isAvcFrame, 2000);
    expect(picture.receivedAt - joinedAt).toBeLessThan(500); // the picture never slept
    // The GOP a viewer joins with may hold sound from before the sleep. The new encoder's file
    // comes live with its own AAC sequence header (the join sent the one kept), then its frames.
    const isAacHeader = (t: FlvTag) => t.type === 8 && t.aacPacketType === 0;
    const woke = await waitForTag(
      s.reader,
      (t) => isAacHeader(t) && s.reader.tags.filter(isAacHeader)[1] === t,
      3000,
    );
    const sound = await waitForTag(
      s.reader,
      (t) =>
        isAacFrame(t) &&
        t.receivedAt >= woke.receivedAt &&
        s.reader.tags.indexOf(t) > s.reader.tags.indexOf(woke),
      3000,
    );
    expect(sound.receivedAt - joinedAt).toBeLessThan(1500);
    expect(sound.timestamp).toBeGreaterThan(before.timestamp);
    expect(soundEncoders(unit.pid!)).toHaveLength(1);
    const next = await waitForTag(s.reader, (t) => isAvcFrame(t) && t.receivedAt >= sound.receivedAt, 2000);
    expect(Math.abs(sound.timestamp - next.timestamp)).toBeLessThan(600);
    now = (await agent.health()).body.processes.find((p) => p.name === 'ffmpeg')!;
    expect([now.pid, now.restarts]).toEqual([unit.pid, unit.restarts]);
    s.close();
  });

  it('gives a viewer one FLV with H.264 and AAC (two pipes from ffmpeg), both on one timeline', async () => {
    const s = await httpFlv(`${agent.url}/stream.flv?token=${viewer}`);
    await waitForTag(s.reader, isAvcKeyframe, 2000);
    await sleep(500); // past the GOP cache
    const from = s.reader.tags.length;
    xdo.stdin.write("type 'yes'\nkey Return\n"); // frames at the full rate, not only keepalives
    await sleep(2500);
    xdo.stdin.write('key ctrl+c\n');
    s.close();
    expect(s.reader.header).toMatchObject({ hasAudio: true, hasVideo: true });
    const live = s.reader.tags.slice(from);
    const audio = live.filter(isAacFrame);
    const video = live.filter(isAvcFrame);
    // AAC at 48 kHz: 46.9 frames per second, none held back
    expect(audio.length / 2.5).toBeGreaterThan(40);
    // Each track's lag behind the wall clock (arrival minus timestamp, the best frame's): with both on
    // one timeline they differ by the sound's own latency (pulse fragment, AAC frame), tens of ms;
    // ffmpeg's separate input clocks made it 100-160 ms.
    const lag = (tags: FlvTag[]) => Math.min(...tags.map((t) => t.receivedAt - t.timestamp));
    const soundBehind = lag(audio) - lag(video);
    expect(Math.abs(soundBehind), `sound behind picture by ${soundBehind.toFixed(1)} ms`).toBeLessThan(80);
    for (const track of [audio, video])
      expect(track.every((t, i) => i === 0 || t.timestamp >= track[i - 1]!.timestamp)).toBe(true);
    await sleep(1000); // still again
  });

  it('keeps a still screen alive with keepalive frames and a keyframe about every second', async () => {
    const s = await httpFlv(`${agent.url}/stream.flv?token=${viewer}`);
    await waitForTag(s.reader, isAvcKeyframe, 2000);
    await sleep(500); // past the GOP cache
    const from = s.reader.tags.length;
    await sleep(4000);
    const frames = s.reader.tags.slice(from).filter(isAvcFrame);
    s.close();
    const perSecond = frames.length / 4;
    // ~2 (one per keepalive) instead of 25; a little margin for the terminal's blinking cursor
    expect(perSecond).toBeGreaterThanOrEqual((1000 / CAPTURE_KEEPALIVE_MS) * 0.75);
    expect(perSecond).toBeLessThan(FPS / 3);
    const keys = frames.filter(isAvcKeyframe).map((t) => t.timestamp);
    expect(keys.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < keys.length; i++)
      expect(keys[i]! - keys[i - 1]!).toBeLessThanOrEqual(
        KEYFRAME_INTERVAL_S * 1000 + CAPTURE_KEEPALIVE_MS + 50,
      );
  });

  it('sends the full frame rate while the screen keeps changing', async () => {
    const s = await httpFlv(`${agent.url}/stream.flv?token=${viewer}`);
    await waitForTag(s.reader, isAvcKeyframe, 2000);
    xdo.stdin.write("type 'yes'\nkey Return\n");
    await sleep(1000);
    const from = s.reader.tags.length;
    await sleep(2000);
    const frames = s.reader.tags.slice(from).filter(isAvcFrame).length;
    xdo.stdin.write('key ctrl+c\n');
    s.close();
    expect(frames / 2).toBeGreaterThanOrEqual(FPS * 0.8);
    expect(frames / 2).toBeLessThanOrEqual(FPS * 1.1);
    await sleep(1000); // still again
  });

  it('sends a change on the screen within ~100 ms (a key into the terminal, a pointer move)', async () => {
    const s = await httpFlv(`${agent.url}/stream.flv?token=${viewer}`);
    await waitForTag(s.reader, isAvcKeyframe, 2000);
    await sleep(1500);
    const lags: Record<'key' | 'pointer', number[]> = { key: [], pointer: [] };
    for (let i = 0; i < 14; i++) {
      await sleep(250 + Math.random() * 400);
      const kind = i % 2 ? 'pointer' : 'key';
      const before = s.reader.tags.length;
      const t0 = performance.now();
      xdo.stdin.write(
        kind === 'key' ? `key ${i % 4 ? 'BackSpace' : 'x'}\n` : `mousemove ${i % 4 ? 700 : 100} 300\n`,
      );
      // a tag's timestamp mapped to our clock by the fastest frame seen (smallest arrival - timestamp)
      const frames = () => s.reader.tags.filter(isAvcFrame);
      const hit = await until(
        () => {
          const offset = Math.min(...frames().map((t) => t.receivedAt - t.timestamp));
          return s.reader.tags.slice(before).find((t: FlvTag) => isAvcFrame(t) && t.timestamp + offset >= t0);
        },
        2000,
        `a frame after the ${kind} change`,
      );
      lags[kind].push(hit.receivedAt - t0);
    }
    s.close();
    expect(median(lags.key), JSON.stringify(lags)).toBeLessThan(100);
    expect(median(lags.pointer), JSON.stringify(lags)).toBeLessThan(100);
  });

  /** Until the capture unit has restarted (more restarts than `before`) and is ready again. */
  const unitRestarted = (before: number) =>
    until(
      async () => {
        const p = (await agent.health()).body.processes.find((x) => x.name === 'ffmpeg')!;
        return p.restarts > before && p.status === 'ready';
      },
      10_000,
      'the capture unit to restart',
    );

  it('restarts the unit when boxroom-capture dies, and ends its sound encoder; video is back within 3 s', async () => {
    const before = (await agent.health()).body.processes.find((p) => p.name === 'ffmpeg')!;
    const s = await httpFlv(`${agent.url}/stream.flv?token=${viewer}`);
    await waitForTag(s.reader, isAacFrame, 3000);
    const [sound] = soundEncoders(before.pid!);
    expect(sound).toBeGreaterThan(0);
    const killedAt = performance.now();
    process.kill(before.pid!, 'SIGKILL');
    await unitRestarted(before.restarts);
    const fresh = await waitForTag(s.reader, (t) => isAvcFrame(t) && t.receivedAt > killedAt + 50, 3000);
    expect(fresh.receivedAt - killedAt).toBeLessThan(3000);
    // its sound encoder went with it, none is left behind (here the supervisor ends the unit`s process
    // group; PR_SET_PDEATHSIG, for a boxroom-capture killed outside one: capture-encoder.int.test.ts)
    await until(
      () => !existsSync(`/proc/${sound}`) || readFileSync(`/proc/${sound}/stat`, 'utf8').includes(') Z'),
      3000,
      'the orphaned sound encoder to end',
    );
    s.close();
  });

  it('restarts the unit when the sound`s encoder dies; sound and picture are back within 3 s', async () => {
    const before = (await agent.health()).body.processes.find((p) => p.name === 'ffmpeg')!;
    const s = await httpFlv(`${agent.url}/stream.flv?token=${viewer}`);
    await waitForTag(s.reader, isAacFrame, 2000);
    const sound = childrenOf(before.pid!).find((pid) =>
      readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('pipe:3'),
    );
    expect(sound).toBeGreaterThan(0);
    const killedAt = performance.now();
    process.kill(sound!, 'SIGKILL');
    await unitRestarted(before.restarts);
    for (const is of [isAacFrame, isAvcFrame]) {
      const fresh = await waitForTag(s.reader, (t) => is(t) && t.receivedAt > killedAt + 50, 3000);
      expect(fresh.receivedAt - killedAt).toBeLessThan(3000);
    }
    s.close();
  });
});
