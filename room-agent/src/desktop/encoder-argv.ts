/**
 * Command lines of the room's capture and encoding unit, which writes the picture and the sound as
 * two FLV pipes to the agent: boxroom-capture (which encodes the picture itself) with the sound's
 * ffmpeg beside it, or ffmpeg's x11grab alone. Pure functions, as in argv.ts, so tests can pin them
 * exactly.
 */
import { PULSE_MONITOR_SOURCE, type CommandLine, type ScreenOptions } from './argv.js';

export interface FfmpegOptions extends ScreenOptions {
  fps: number;
  pulseSource?: string;
  /** VBV cap; default scales with pixels per second (~4.1 Mbit/s at 720p30) */
  maxrateKbps?: number;
  /** VBV buffer; half a second of maxrate keeps keyframe bursts small */
  bufsizeKbps?: number;
}

export function defaultMaxrateKbps(o: ScreenOptions & { fps: number }): number {
  return Math.round((o.width * o.height * o.fps * 0.15) / 1000);
}

/**
 * The pulse input stamps each fragment by the wall clock (as the video is stamped), but under load
 * ffmpeg reads it late and sound is lost (measured: the FLV's audio timestamps ran 0.4 ms/s ahead of
 * its sample count on a loaded machine, 12 ms in 31 s on a quieter one). A player lays AAC frames end
 * to end by their sample count (mpegts.js does, and Chromium plays them so), so the sound slid ahead
 * of the picture without bound (-110 ms after 25 s). `aresample=async=1` fills a gap with silence (or
 * trims an overlap) once the sample count is more than `min_hard_comp` off its timestamps, so it never
 * is by more than that; stretching instead (async > 1) was tried and is capped too low (100 samples/s
 * still left -100 ms after 30 s). With `-copyts` (damage mode) it sees wall-clock timestamps; its
 * internal unit (1 / (in rate * out rate)) keeps them within int64 at 48 kHz (about 4e18 of 9.2e18),
 * not at 96 kHz in and out.
 */
const AUDIO_ON_WALL_CLOCK = 'aresample=async=1:min_hard_comp=0.015';

/**
 * ffmpeg's AAC encoder stamps its first packet 1,024 samples (21.3 ms) before zero, and an FLV muxer
 * shifts a file that starts below zero up to zero. With sound and picture in separate files that
 * would shift the sound alone, 21 ms late against the picture; both files are moved by this much
 * instead, so neither starts below zero and both keep the one timeline `-isync 0` gives them (x11grab
 * mode; in damage mode it is folded into the clock base both encoders subtract, streamClockBase).
 */
const OUTPUT_TS_OFFSET_S = 0.1;

/** Per output file: write every packet to its pipe the moment it is muxed (no 32 KiB buffer). */
const flvOut = (tsOffset: string): string[] => [
  ...['-output_ts_offset', tsOffset, '-flvflags', 'no_duration_filesize'],
  ...['-flush_packets', '1'],
];

/** The fd on which the "ffmpeg" unit writes its sound (an FLV with the AAC track alone). */
export const AUDIO_OUTPUT_FD = 3;

const pictureOut = (o: FfmpegOptions, input: string, keyframes: string[], tsOffset: string): string[] => {
  const maxrate = o.maxrateKbps ?? defaultMaxrateKbps(o);
  const bufsize = o.bufsizeKbps ?? Math.round(maxrate / 2);
  return [
    ...['-map', `${input}:v`, '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency'],
    ...['-bf', '0', ...keyframes, '-sc_threshold', '0', '-pix_fmt', 'yuv420p'],
    ...['-maxrate', `${maxrate}k`, '-bufsize', `${bufsize}k`],
    ...flvOut(tsOffset),
    ...['-f', 'flv', 'pipe:1'],
  ];
};

const soundOut = (input: string, tsOffset: string): string[] => [
  ...['-map', `${input}:a`, '-af', AUDIO_ON_WALL_CLOCK, '-c:a', 'aac', '-b:a', '128k', '-ar', '48000'],
  ...flvOut(tsOffset),
  ...['-f', 'flv', `pipe:${AUDIO_OUTPUT_FD}`],
];

/**
 * The output side of x11grab mode. Two FLV files: the picture on stdout, the sound on fd 3
 * (AUDIO_OUTPUT_FD, a pipe the agent gives the unit). The agent reads both and publishes them as one
 * stream in process (flv-track-merge.ts): nothing on this command line is a secret (every uid can
 * read /proc/<pid>/cmdline), and there is no RTMP hop.
 *
 * Why two files: ffmpeg's muxer interleaves the streams of one file by time, so with sound and
 * picture on one clock (`-isync 0`) it held each frame until the audio of its time had come, and a
 * change on the screen took 80-140 ms to leave the capture instead of under 100. A file with one
 * stream waits for nothing. See docs/decisions.md ("Sound and picture in two pipes").
 */
function encodeArgs(o: FfmpegOptions, keyframes: string[]): string[] {
  const offset = String(OUTPUT_TS_OFFSET_S);
  return [...pictureOut(o, '1', keyframes, offset), ...soundOut('0', offset)];
}

/**
 * Put on the video input: ffmpeg shifts each input to start at zero by its own first timestamp, and
 * the pulse input (opened first) starts 100-160 ms before the first frame, so every sound came that
 * much after its picture. Both inputs stamp by the wall clock; `-isync 0` shifts the video by the
 * difference of the two start times instead, which keeps them on one clock (offset in the FLV: p50
 * 4.5 / p95 18 ms, from 100-160 ms). It costs the picture no wait because sound and picture leave
 * ffmpeg in separate files (encodeArgs).
 */
const SYNC_TO_PULSE = ['-isync', '0'];

const pulseInput = (o: Pick<FfmpegOptions, 'pulseSource'>): string[] => [
  ...['-f', 'pulse', '-thread_queue_size', '1024', '-i', o.pulseSource ?? PULSE_MONITOR_SOURCE],
];

/**
 * Capture and encode to stdout (picture) and fd 3 (sound). The pulse input is opened first and x11grab second: with x11grab
 * first, ffmpeg delivered 12-21 frames in 4-6 s instead of 30 fps.
 */
export function ffmpegArgv(o: FfmpegOptions): CommandLine {
  const fps = String(o.fps);
  return {
    command: 'ffmpeg',
    args: [
      ...['-loglevel', 'warning', '-nostdin'],
      ...pulseInput(o),
      ...['-f', 'x11grab', '-thread_queue_size', '1024', '-framerate', fps],
      ...['-video_size', `${o.width}x${o.height}`, '-draw_mouse', '1'],
      ...[...SYNC_TO_PULSE, '-i', `:${o.display}`],
      ...encodeArgs(o, ['-g', fps, '-keyint_min', fps]),
    ],
  };
}

/**
 * The keyframe interval in time, not frames: with frames only on change, a frame count would stretch
 * a GOP to minutes on a still screen. The media server's GOP cache starts a new viewer at the last
 * keyframe, so this bounds how far back a join starts. boxroom-capture forces one when this much media
 * time less half a frame interval has passed since the last (a keepalive that comes a millisecond
 * early still makes a still screen's GOP 1 s, not 1.5 s).
 */
export const KEYFRAME_INTERVAL_S = 1;

/**
 * The two encoders of damage mode (boxroom-capture encodes the picture in its own process, and runs
 * the sound's ffmpeg beside it: ffmpeg 5.1 reads its inputs in one loop that waits for the input
 * whose output is furthest behind, which with frames only on change is the screen, so the sound left
 * in bursts with the keepalive frames, every 500 ms on a still screen) stamp by the wall clock and
 * subtract the same base (the sound's ffmpeg with `-copyts -output_ts_offset -base`, boxroom-capture
 * with `--clock-base`: the wall clock just before they start, so the stream starts near zero): one
 * timeline across two processes, as `-isync 0` gave within one.
 */
export function streamClockBase(nowMs = Date.now()): string {
  return ((nowMs - OUTPUT_TS_OFFSET_S * 1000) / 1000).toFixed(3);
}

/**
 * PulseAudio hands the pulse input its sound in fragments of this many bytes: 20 ms of 48 kHz stereo
 * s16 (ffmpeg's default, 50 ms, arrived at a WS reader as bunches ~100 ms apart; with 20 ms the
 * sound's arrival varies half as much, which is what the page's audio reserve has to cover).
 */
const PULSE_FRAGMENT = ['-fragment_size', '3840'];

/** The sound encoder boxroom-capture runs beside it: the room's sink, AAC, its FLV on fd 3. */
export function soundArgv(o: Pick<FfmpegOptions, 'pulseSource'>, clockBase: string): CommandLine {
  return {
    command: 'ffmpeg',
    args: [
      ...['-loglevel', 'warning', '-nostdin'],
      ...PULSE_FRAGMENT,
      ...pulseInput(o),
      '-copyts',
      ...soundOut('0', `-${clockBase}`),
    ],
  };
}

/**
 * When the screen is still, boxroom-capture repeats the last frame this often: timestamps keep moving
 * (the player's buffer and the media server see a live stream) and a keyframe still comes about every
 * KEYFRAME_INTERVAL_S. Measured cost: see docs/decisions.md ("Capture only what changes").
 */
export const CAPTURE_KEEPALIVE_MS = 500;
/**
 * How often boxroom-capture asks where the pointer is. Input injected through XTEST (x11vnc, xdotool)
 * raises no XInput2 raw events and other clients' windows take the motion events, so a pointer that
 * moves without changing shape or drawing anything is found by asking (one small round trip).
 */
export const CAPTURE_POINTER_POLL_MS = 16;

export interface CaptureOptions extends ScreenOptions {
  fps: number;
  /** path of the boxroom-capture binary */
  bin: string;
  keepaliveMs?: number;
  pointerPollMs?: number;
  /** the stream's zero on the wall clock, shared with the sound's encoder (streamClockBase) */
  clockBase: string;
  /** VBV cap and buffer, as for ffmpeg's libx264 (pictureOut); default from the pixel rate */
  maxrateKbps?: number;
  bufsizeKbps?: number;
  /** the sound encoder it runs beside (writing fd 3) */
  sound?: CommandLine;
}

/**
 * boxroom-capture, which captures and encodes the picture (libx264 with the settings pictureOut gives
 * ffmpeg: ultrafast, zerolatency, no B-frames, no scene cuts, the VBV below, a keyframe every
 * KEYFRAME_INTERVAL_S of media time) into the FLV on its stdout, and the sound's encoder it runs
 * beside: one supervised unit. The sound's ffmpeg inherits its fd 3, so the two FLV files reach the
 * agent through the unit's pipes as in x11grab mode. See docs/decisions.md ("The picture is encoded
 * where it is captured").
 */
export function captureArgv(o: CaptureOptions): CommandLine {
  const maxrate = o.maxrateKbps ?? defaultMaxrateKbps(o);
  const bufsize = o.bufsizeKbps ?? Math.round(maxrate / 2);
  return {
    command: o.bin,
    args: [
      ...['--display', `:${o.display}`, '--size', `${o.width}x${o.height}`, '--fps', String(o.fps)],
      ...['--clock-base', o.clockBase, '--keyframe-ms', String(KEYFRAME_INTERVAL_S * 1000)],
      ...['--maxrate-kbps', String(maxrate), '--bufsize-kbps', String(bufsize)],
      ...['--keepalive-ms', String(o.keepaliveMs ?? CAPTURE_KEEPALIVE_MS)],
      ...['--pointer-poll-ms', String(o.pointerPollMs ?? CAPTURE_POINTER_POLL_MS)],
      ...(o.sound ? ['--sound', o.sound.command, ...o.sound.args, '--'] : []),
    ],
  };
}
