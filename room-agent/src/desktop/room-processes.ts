import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { AgentConfig } from '../config.js';
import { defineProcess, type ProbeFn, type ProcessSpec } from '../supervisor/process-spec.js';
import { clearStaleXLock, type XLockPaths } from '../supervisor/x-lock.js';
import {
  captureArgv,
  chromiumArgv,
  ffmpegArgv,
  ffmpegPipeArgv,
  openboxArgv,
  openboxConfig,
  pulseaudioArgv,
  pulseScript,
  x11vncArgv,
  xtermArgv,
  xvfbArgv,
  type CommandLine,
} from './argv.js';

export const ROOM_PROCESS_NAMES = ['xvfb', 'pulse', 'wm', 'app', 'x11vnc', 'ffmpeg'] as const;
export type RoomProcessName = (typeof ROOM_PROCESS_NAMES)[number];

export interface RoomProcessOptions {
  /** takes ffmpeg's stdout (FLV) at every start and publishes it: MediaServer.publishFrom */
  publishStdout: (flv: Readable) => void;
  /** resolves once the media server sees ffmpeg's stream: ffmpeg's readiness */
  ffmpegReady: ProbeFn;
  /** keep only some processes, e.g. the desktop without ffmpeg when there is no media server */
  include?: (name: RoomProcessName) => boolean;
  /** defaults to process.getuid() === 0; Chromium needs --no-sandbox as root */
  runningAsRoot?: boolean;
  /** X lock and socket locations, for tests; the X server itself always uses /tmp */
  xLockPaths?: XLockPaths;
}

/** Files and directories of one room under config.runDir. */
export function roomPaths(config: Pick<AgentConfig, 'runDir' | 'display'>, x?: XLockPaths) {
  const pulseDir = join(config.runDir, 'pulse');
  return {
    home: join(config.runDir, 'home'),
    xdgRuntimeDir: join(config.runDir, 'xdg'),
    pulseDir,
    pulseSocket: join(pulseDir, 'native'),
    pulseScript: join(pulseDir, 'boxroom.pa'),
    openboxConfig: join(config.runDir, 'openbox-rc.xml'),
    wmReadyFile: join(config.runDir, 'wm-ready'),
    chromiumProfile: join(config.runDir, 'chromium'),
    xSocket: join(x?.socketDir ?? '/tmp/.X11-unix', `X${config.display}`),
  };
}

/**
 * The room's processes and their dependencies:
 * xvfb <- wm <- app; xvfb <- x11vnc; xvfb + pulse <- ffmpeg (and the browser app, which plays audio).
 * An Xvfb restart therefore restarts everything that draws on it or reads from it.
 *
 * "ffmpeg" is the picture-and-sound pipeline: in damage mode boxroom-capture, which runs ffmpeg with
 * its frames on ffmpeg's stdin (one unit: either one ending ends the other, and the supervisor
 * restarts both); in x11grab mode ffmpeg alone. Either way the unit's stdout is ffmpeg's FLV, which
 * the agent publishes in process (no URL, no secret on a command line).
 */
export function roomProcessSpecs(config: AgentConfig, opts: RoomProcessOptions): ProcessSpec[] {
  const p = roomPaths(config, opts.xLockPaths);
  const asRoot = opts.runningAsRoot ?? process.getuid?.() === 0;
  // HOME and XDG_RUNTIME_DIR in runDir: pulse, openbox and the app write there, as root or not
  const baseEnv = { HOME: p.home, XDG_RUNTIME_DIR: p.xdgRuntimeDir };
  const xEnv = { ...baseEnv, DISPLAY: `:${config.display}`, PULSE_SERVER: `unix:${p.pulseSocket}` };
  const dirs = async (...paths: string[]): Promise<void> => {
    for (const dir of [p.home, p.xdgRuntimeDir, ...paths]) await mkdir(dir, { recursive: true, mode: 0o700 });
  };
  const cmd = (c: CommandLine) => ({ command: c.command, args: c.args });

  const app: CommandLine =
    config.app === 'browser'
      ? chromiumArgv({
          width: config.width,
          height: config.height,
          userDataDir: p.chromiumProfile,
          runningAsRoot: asRoot,
        })
      : xtermArgv();

  const specs: Record<RoomProcessName, ProcessSpec> = {
    xvfb: defineProcess({
      name: 'xvfb',
      ...cmd(xvfbArgv(config)),
      env: baseEnv,
      readiness: { kind: 'unix-socket', path: p.xSocket },
      // a killed Xvfb leaves its lock behind and its successor would refuse the display
      prepare: async () => void (await clearStaleXLock(config.display, opts.xLockPaths)),
    }),
    pulse: defineProcess({
      name: 'pulse',
      ...cmd(pulseaudioArgv({ scriptPath: p.pulseScript })),
      env: baseEnv,
      readiness: { kind: 'unix-socket', path: p.pulseSocket },
      prepare: async () => {
        await dirs(p.pulseDir);
        await writeFile(p.pulseScript, pulseScript({ socketPath: p.pulseSocket }));
      },
    }),
    wm: defineProcess({
      name: 'wm',
      ...cmd(openboxArgv({ configPath: p.openboxConfig, readyFile: p.wmReadyFile })),
      env: xEnv,
      dependsOn: ['xvfb'],
      readiness: { kind: 'file', path: p.wmReadyFile },
      prepare: async () => {
        await dirs();
        await rm(p.wmReadyFile, { force: true });
        await writeFile(p.openboxConfig, openboxConfig());
      },
    }),
    app: defineProcess({
      name: 'app',
      ...cmd(app),
      env: xEnv,
      cwd: p.home,
      // after the WM, so that openbox maps the app as a new window and gives it the keyboard focus
      dependsOn: config.app === 'browser' ? ['xvfb', 'wm', 'pulse'] : ['xvfb', 'wm'],
      prepare: () => dirs(...(config.app === 'browser' ? [p.chromiumProfile] : [])),
    }),
    x11vnc: defineProcess({
      name: 'x11vnc',
      ...cmd(x11vncArgv({ display: config.display, port: config.vncPort })),
      env: xEnv,
      dependsOn: ['xvfb'],
      readiness: { kind: 'tcp', host: '127.0.0.1', port: config.vncPort },
    }),
    ffmpeg: defineProcess({
      name: 'ffmpeg',
      ...cmd(encoderPipeline(config)),
      env: xEnv,
      dependsOn: ['xvfb', 'pulse'],
      readiness: { kind: 'probe', probe: opts.ffmpegReady },
      takeStdout: opts.publishStdout,
    }),
  };
  const include = opts.include ?? (() => true);
  return ROOM_PROCESS_NAMES.filter(include).map((name) => specs[name]);
}

/** The command of the "ffmpeg" unit in the configured capture mode. */
export function encoderPipeline(config: AgentConfig): CommandLine {
  const o = { display: config.display, width: config.width, height: config.height, fps: config.fps };
  if (config.capture === 'x11grab') return ffmpegArgv(o);
  return captureArgv({ ...o, bin: config.captureBin, encoder: ffmpegPipeArgv(o) });
}
