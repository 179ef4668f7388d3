import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { MAX_CLIPBOARD_BYTES } from '@boxroom/contracts';
import type { AgentConfig } from '../config.js';
import { defineProcess, type ProbeFn, type ProcessSpec } from '../supervisor/process-spec.js';
import { waitForUnixSocket } from '../supervisor/readiness.js';
import { clearStaleXLock, type XLockPaths } from '../supervisor/x-lock.js';
import { appArgv, appNeedsGlx, panelConfig } from './app-argv.js';
import {
  clipboardArgv,
  openboxArgv,
  openboxConfig,
  pulseaudioArgv,
  pulseScript,
  x11vncArgv,
  xvfbArgv,
  type CommandLine,
} from './argv.js';
import { captureArgv, ffmpegArgv, soundArgv, streamClockBase } from './encoder-argv.js';
import { agentPaths, createDesktopDir, desktopPaths, refreshDesktopFiles } from './desktop-dirs.js';
import type { DesktopIdentity } from './desktop-user.js';
import { newCookie, xauthorityEntry } from './xauthority.js';

export const ROOM_PROCESS_NAMES = ['xvfb', 'pulse', 'wm', 'app', 'x11vnc', 'clipboard', 'ffmpeg'] as const;
export type RoomProcessName = (typeof ROOM_PROCESS_NAMES)[number];

export interface RoomProcessOptions {
  /**
   * takes ffmpeg's stdout (the picture's FLV) and fd 3 (the sound's) at every start and publishes them
   * as one stream: MediaServer.publishFrom
   */
  publishStdout: (video: Readable, audio: Readable | null) => void;
  /** resolves once the media server sees ffmpeg's stream: ffmpeg's readiness */
  ffmpegReady: ProbeFn;
  /**
   * boxroom-clipboard's pipes at every start and its readiness (ClipboardBridge); without them, or
   * without the binary (config.clipboardBin null), the room has no clipboard process
   */
  clipboard?: {
    takeStdin: (stdin: Writable) => void;
    takeStdout: (stdout: Readable) => void;
    ready: ProbeFn;
  };
  /** who the desktop (wm, app) runs as; defaults to the agent itself (no separation) */
  identity?: DesktopIdentity;
  /** the X cookie (16 bytes); a fresh one when absent */
  cookie?: Buffer;
  /** keep only some processes, e.g. the desktop without ffmpeg when there is no media server */
  include?: (name: RoomProcessName) => boolean;
  /** defaults to process.getuid() === 0; Chromium needs --no-sandbox when the app runs as root */
  runningAsRoot?: boolean;
  /**
   * whether the desktop user may create user namespaces (Chromium's sandbox needs them: see
   * desktopCanSandbox); false adds --no-sandbox for a browser run as the desktop user. Default true.
   */
  desktopUserNamespaces?: boolean;
  /** X lock and socket locations, for tests; the X server itself always uses /tmp */
  xLockPaths?: XLockPaths;
  /**
   * The room's size now (it changes when the room is resized; default: the configured one): Xvfb
   * starts at config.maxWidth x maxHeight and is set to this before anything draws on it, and the
   * capture's command line follows it at every start.
   */
  size?: () => { width: number; height: number };
  /** sets the running screen's size (ScreenSize.set); absent: Xvfb keeps the size it starts with */
  setScreen?: (width: number, height: number) => Promise<void>;
}

/** Files and directories of one room: the agent's (runDir) and the desktop's (desktopDir). */
export function roomPaths(
  config: Pick<AgentConfig, 'runDir' | 'desktopDir' | 'display' | 'desktopHome'>,
  x?: XLockPaths,
) {
  return {
    agent: agentPaths(config.runDir),
    desktop: desktopPaths(config.desktopDir, config.desktopHome ?? null),
    xSocket: join(x?.socketDir ?? '/tmp/.X11-unix', `X${config.display}`),
  };
}

/**
 * Starts `c` in $HOME (the terminal's shell opens there), changing directory once running as the
 * desktop user; `exec` keeps the pid and process group the supervisor knows.
 */
export function inHome(c: CommandLine): CommandLine {
  return { command: '/bin/sh', args: ['-c', 'cd "$HOME" 2>/dev/null; exec "$0" "$@"', c.command, ...c.args] };
}

const NO_SEPARATION: DesktopIdentity = { isolation: 'none', why: 'not asked for' };

/** The shell xterm starts: the desktop user's login shell may be nologin. */
const DESKTOP_SHELL = existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';

/**
 * The room's processes and their dependencies:
 * xvfb <- wm <- app; xvfb <- x11vnc; xvfb <- clipboard; xvfb + pulse <- ffmpeg (and every app but the terminal, which may play audio).
 * An Xvfb restart therefore restarts everything that draws on it or reads from it.
 *
 * Who runs as whom: Xvfb, PulseAudio, x11vnc and the capture pipeline run as the agent, with HOME in
 * its private runDir and XAUTHORITY its own cookie file. The window manager and the app (hence
 * everything a controller starts from them) run as the desktop user when there is one, with HOME,
 * XAUTHORITY (a copy of the cookie) and PULSE_SERVER in desktopDir and nothing of runDir in reach.
 *
 * "ffmpeg" is the picture-and-sound pipeline: in damage mode boxroom-capture, which captures and
 * encodes the picture itself and runs the sound's ffmpeg beside it (one unit: either ending ends the
 * other, and the supervisor restarts both); in x11grab mode ffmpeg alone. Either way the unit's stdout is the picture's FLV and
 * its fd 3 the sound's, which the agent publishes in process as one stream (no URL, no secret on a
 * command line).
 */
export function roomProcessSpecs(config: AgentConfig, opts: RoomProcessOptions): ProcessSpec[] {
  const { agent: a, desktop: d, xSocket } = roomPaths(config, opts.xLockPaths);
  const identity = opts.identity ?? NO_SEPARATION;
  const desktopUser = identity.isolation === 'desktop-user' ? identity.user : null;
  const asRoot = opts.runningAsRoot ?? process.getuid?.() === 0;
  const xauth = xauthorityEntry(config.display, opts.cookie ?? newCookie());
  const display = `:${config.display}`;
  const pulseServer = `unix:${d.pulseSocket}`;
  // the agent's own children: HOME and XDG_RUNTIME_DIR in runDir (pulse writes there)
  const agentEnv = { HOME: a.home, XDG_RUNTIME_DIR: a.xdgRuntimeDir };
  const agentXEnv = { ...agentEnv, DISPLAY: display, XAUTHORITY: a.xauthority, PULSE_SERVER: pulseServer };
  const desktopEnv = {
    HOME: d.home,
    XDG_RUNTIME_DIR: d.xdgRuntimeDir,
    DISPLAY: display,
    XAUTHORITY: d.xauthority,
    PULSE_SERVER: pulseServer,
    SHELL: DESKTOP_SHELL,
    ...(desktopUser ? { USER: desktopUser.name, LOGNAME: desktopUser.name } : {}),
  };
  // what the desktop writes (in /tmp too) stays its own: not readable by another room's desktop user
  const asDesktop = {
    umask: 0o077,
    ...(desktopUser ? { runAs: { uid: desktopUser.uid, gid: desktopUser.gid } } : {}),
  };
  const agentDirs = async (): Promise<void> => {
    for (const dir of [a.home, a.xdgRuntimeDir]) await mkdir(dir, { recursive: true, mode: 0o700 });
  };
  const cmd = (c: CommandLine) => ({ command: c.command, args: c.args });
  // pulse (its socket) and the wm (its files) both need the desktop's dir; whichever starts first makes it
  let creating: Promise<void> | null = null;
  const desktopDir = (): Promise<void> => {
    if (existsSync(d.root)) return Promise.resolve();
    creating ??= createDesktopDir(d, identity).finally(() => (creating = null));
    return creating;
  };

  const app: CommandLine = appArgv(config, {
    userDataDir: d.chromiumProfile,
    // as its own user, Chromium's sandbox works where user namespaces are allowed (the
    // container's seccomp profile denies them: the image adds --no-sandbox there too)
    runningAsRoot: desktopUser ? opts.desktopUserNamespaces === false : asRoot,
    panelConfig: d.panelConfig,
  });
  // the template's environment is the app's alone, and cannot replace the desktop's own variables
  const appEnv = { ...config.appEnv, ...desktopEnv };
  const desktopSession = config.app === 'desktop';

  const size = opts.size ?? (() => ({ width: config.width, height: config.height }));
  const setScreen = opts.setScreen;
  const screen = setScreen
    ? { width: config.maxWidth, height: config.maxHeight }
    : { width: config.width, height: config.height };

  const specs: Record<RoomProcessName, ProcessSpec> = {
    xvfb: defineProcess({
      name: 'xvfb',
      ...cmd(xvfbArgv({ ...config, ...screen, authFile: a.xauthority, glx: appNeedsGlx(config.app) })),
      env: agentEnv,
      // Xvfb's framebuffer is the largest size; the room's size is set inside it before the wm, the
      // app, x11vnc or the capture start, so they all begin at the room's size.
      readiness: setScreen
        ? {
            kind: 'probe',
            probe: async (signal) => {
              await waitForUnixSocket(xSocket, signal);
              const { width, height } = size();
              await setScreen(width, height);
            },
          }
        : { kind: 'unix-socket', path: xSocket },
      prepare: async () => {
        // a killed Xvfb leaves its lock behind and its successor would refuse the display
        await clearStaleXLock(config.display, opts.xLockPaths);
        await writeFile(a.xauthority, xauth, { mode: 0o600 });
      },
    }),
    pulse: defineProcess({
      name: 'pulse',
      ...cmd(pulseaudioArgv({ scriptPath: a.pulseScript })),
      env: agentEnv,
      readiness: { kind: 'unix-socket', path: d.pulseSocket },
      prepare: async () => {
        await agentDirs();
        await desktopDir();
        await writeFile(a.pulseScript, pulseScript({ socketPath: d.pulseSocket }));
      },
    }),
    wm: defineProcess({
      name: 'wm',
      ...cmd(openboxArgv({ configPath: d.openboxConfig, readyFile: d.wmReadyFile })),
      env: desktopEnv,
      ...asDesktop,
      // not its home: the spawn enters cwd before switching uids, and an agent without
      // CAP_DAC_OVERRIDE (the container's) cannot enter the desktop user's 0700 home
      cwd: d.root,
      dependsOn: ['xvfb'],
      readiness: { kind: 'file', path: d.wmReadyFile },
      prepare: async () => {
        await desktopDir();
        await refreshDesktopFiles(d, identity, {
          xauthority: xauth,
          openboxConfig: openboxConfig({ windows: desktopSession ? 'free' : 'maximized' }),
          ...(desktopSession ? { panelConfig: panelConfig() } : {}),
        });
      },
    }),
    app: defineProcess({
      name: 'app',
      ...cmd(inHome(app)),
      env: appEnv,
      ...asDesktop,
      cwd: d.root,
      // after the WM, so that openbox maps the app as a new window and gives it the keyboard focus
      // whatever plays sound needs PulseAudio first: the browser, and any app of a desktop or a template
      dependsOn: config.app === 'terminal' ? ['xvfb', 'wm'] : ['xvfb', 'wm', 'pulse'],
    }),
    x11vnc: defineProcess({
      name: 'x11vnc',
      ...cmd(x11vncArgv({ display: config.display, socketPath: a.vncSocket })),
      env: agentXEnv,
      dependsOn: ['xvfb'],
      readiness: { kind: 'unix-socket', path: a.vncSocket },
      // a socket file left by a killed x11vnc would make its successor's bind fail
      prepare: () => rm(a.vncSocket, { force: true }),
    }),
    clipboard: defineProcess({
      name: 'clipboard',
      ...cmd(
        clipboardArgv({
          display: config.display,
          bin: config.clipboardBin ?? '',
          maxBytes: MAX_CLIPBOARD_BYTES,
        }),
      ),
      env: agentXEnv,
      dependsOn: ['xvfb'],
      readiness: opts.clipboard ? { kind: 'probe', probe: opts.clipboard.ready } : { kind: 'none' },
      ...(opts.clipboard
        ? { takeStdin: opts.clipboard.takeStdin, takeStdout: opts.clipboard.takeStdout }
        : {}),
    }),
    ffmpeg: defineProcess({
      name: 'ffmpeg',
      ...cmd(encoderPipeline(config)),
      argsAtSpawn: () => encoderPipeline({ ...config, ...size() }).args,
      env: agentXEnv,
      dependsOn: ['xvfb', 'pulse'],
      readiness: { kind: 'probe', probe: opts.ffmpegReady },
      takeStdout: opts.publishStdout,
      outputFd3: true,
    }),
  };
  const include = opts.include ?? (() => true);
  const hasClipboard = config.clipboardBin !== null && opts.clipboard !== undefined;
  return ROOM_PROCESS_NAMES.filter((n) => include(n) && (n !== 'clipboard' || hasClipboard)).map(
    (name) => specs[name],
  );
}

/** The command of the "ffmpeg" unit in the configured capture mode. */
export function encoderPipeline(
  config: Pick<AgentConfig, 'display' | 'width' | 'height' | 'fps' | 'capture' | 'captureBin'>,
): CommandLine {
  const o = { display: config.display, width: config.width, height: config.height, fps: config.fps };
  if (config.capture === 'x11grab') return ffmpegArgv(o);
  // built at each start: the picture and the sound of this start share one clock base (encoder-argv.ts)
  const clockBase = streamClockBase();
  return captureArgv({ ...o, bin: config.captureBin, clockBase, sound: soundArgv({}, clockBase) });
}
