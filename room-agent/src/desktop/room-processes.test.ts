import { describe, expect, it } from 'vitest';
import type { AgentConfig } from '../config.js';
import { DependencyGraph } from '../supervisor/dependency-graph.js';
import type { DesktopIdentity } from './desktop-user.js';
import { roomProcessSpecs } from './room-processes.js';
import { xauthorityEntry } from './xauthority.js';

const config: AgentConfig = Object.freeze({
  roomId: 'r1',
  host: '127.0.0.1',
  port: 9000,
  display: 150,
  width: 1280,
  height: 720,
  fps: 30,
  app: 'terminal',
  appCommand: null,
  appEnv: {},
  startUrl: null,
  browserMode: 'normal',
  capture: 'x11grab',
  captureBin: '/opt/boxroom/boxroom-capture',
  captureFellBack: false,
  clipboardBin: '/opt/boxroom/boxroom-clipboard',
  clipboard: { copyOut: true, pasteIn: true },
  screenBin: null,
  maxWidth: 1280,
  maxHeight: 720,
  mediaHttpPort: 0,
  runDir: '/run/boxroom-r1',
  desktopDir: '/tmp/desk-r1',
  filesDir: '/tmp/desk-r1/files',
  fileMaxBytes: 1 << 20,
  filesQuotaBytes: 1 << 22,
  desktopUser: 'boxroom-desktop',
  dashboardSilenceMs: 0,
  publicKeyPem: 'unused',
  viewerMaxBacklogBytes: 1 << 20,
  controlIdleMs: 0,
  soundIdleMs: 5000,
  controlGraceMs: 0,
  roomMaxAgeMs: 0,
  roomNoViewersMs: 0,
  roomNoInputMs: 0,
  roomCreatedAt: 0,
  desktopGiveUpMs: 0,
  controlQueueMax: 100,
  logLevel: 'info',
});
const ffmpegReady = async (): Promise<void> => {};
const publishStdout = (): void => {};
const clipboard = {
  takeStdin: (): void => {},
  takeStdout: (): void => {},
  ready: async (): Promise<void> => {},
};
const opts = { publishStdout, ffmpegReady, runningAsRoot: true, clipboard };

describe('roomProcessSpecs', () => {
  it('wires dependencies and readiness', () => {
    const specs = roomProcessSpecs(config, opts);
    const by = Object.fromEntries(specs.map((s) => [s.name, s]));
    expect(specs.map((s) => [s.name, s.dependsOn])).toEqual([
      ['xvfb', []],
      ['pulse', []],
      ['wm', ['xvfb']],
      ['app', ['xvfb', 'wm']],
      ['x11vnc', ['xvfb']],
      ['clipboard', ['xvfb']],
      ['ffmpeg', ['xvfb', 'pulse']],
    ]);
    expect(by.xvfb!.readiness).toEqual({ kind: 'unix-socket', path: '/tmp/.X11-unix/X150' });
    expect(by.pulse!.readiness).toEqual({ kind: 'unix-socket', path: '/tmp/desk-r1/pulse/native' });
    expect(by.x11vnc!.readiness).toEqual({ kind: 'unix-socket', path: '/run/boxroom-r1/vnc.sock' });
    expect(by.ffmpeg!.readiness).toEqual({ kind: 'probe', probe: ffmpegReady });
    expect(by.clipboard!.readiness).toEqual({ kind: 'probe', probe: clipboard.ready });
    expect(by.clipboard!.takeStdin).toBe(clipboard.takeStdin);
    expect(by.clipboard!.takeStdout).toBe(clipboard.takeStdout);
    expect([by.clipboard!.command, ...by.clipboard!.args]).toEqual([
      ...['/opt/boxroom/boxroom-clipboard', '--display', ':150', '--max-bytes', '131072'],
    ]);
    expect(by.clipboard!.env.XAUTHORITY).toBe('/run/boxroom-r1/xauthority'); // the agent's cookie
    expect(by.wm!.readiness).toEqual({ kind: 'file', path: '/tmp/desk-r1/wm-ready' });
    expect(by.xvfb!.args.slice(0, 3)).toEqual([':150', '-auth', '/run/boxroom-r1/xauthority']);
    // GLX only where the app may be anything: the desktop session and a template's command
    const glx = (app: typeof config.app) =>
      !roomProcessSpecs({ ...config, app, appCommand: ['glxgears'] }, opts)
        .find((s) => s.name === 'xvfb')!
        .args.includes('GLX');
    expect(['terminal', 'browser', 'desktop', 'command'].map((a) => glx(a as typeof config.app))).toEqual([
      false,
      false,
      true,
      true,
    ]);
    // ffmpeg writes the picture's FLV to its stdout and the sound's to fd 3, which go to the media
    // server: no URL on its command line
    expect(by.ffmpeg!.args.filter((a) => a.startsWith('pipe:'))).toEqual(['pipe:1', 'pipe:3']);
    expect(by.ffmpeg!.args.slice(-3)).toEqual(['-f', 'flv', 'pipe:3']);
    expect(by.ffmpeg!.takeStdout).toBe(publishStdout);
    expect(by.ffmpeg!.outputFd3).toBe(true);
    for (const spec of specs) expect(spec.args.join(' ')).not.toMatch(/rtmp:|sign=/);
    expect(new DependencyGraph(specs).dependentsOf('xvfb').sort()).toEqual([
      ...['app', 'clipboard', 'ffmpeg', 'wm', 'x11vnc'],
    ]);
  });

  it('gives the desktop its own HOME, cookie copy and the pulse socket, nothing of runDir', () => {
    const specs = roomProcessSpecs(config, opts);
    for (const name of ['wm', 'app']) {
      const spec = specs.find((s) => s.name === name)!;
      expect(spec.env).toEqual({
        HOME: '/tmp/desk-r1/home',
        XDG_RUNTIME_DIR: '/tmp/desk-r1/xdg',
        DISPLAY: ':150',
        XAUTHORITY: '/tmp/desk-r1/xauthority',
        PULSE_SERVER: 'unix:/tmp/desk-r1/pulse/native',
        SHELL: expect.stringMatching(/^\/bin\/(ba)?sh$/),
      });
      expect(JSON.stringify(spec)).not.toContain('/run/boxroom-r1');
      expect(spec.runAs).toBeUndefined();
    }
    const app = specs.find((s) => s.name === 'app')!;
    // started in $HOME by a shell that execs it (same pid), after the switch to the desktop's uid
    expect([app.command, ...app.args.slice(0, 3)]).toEqual([
      '/bin/sh',
      '-c',
      'cd "$HOME" 2>/dev/null; exec "$0" "$@"',
      'xterm',
    ]);
  });

  it("gives the agent's X clients its own cookie file and HOME in runDir", () => {
    for (const name of ['x11vnc', 'ffmpeg']) {
      const spec = roomProcessSpecs(config, opts).find((s) => s.name === name)!;
      expect(spec.env).toMatchObject({
        HOME: '/run/boxroom-r1/home',
        DISPLAY: ':150',
        XAUTHORITY: '/run/boxroom-r1/xauthority',
      });
      expect(spec.runAs).toBeUndefined();
    }
  });

  it('runs the wm and the app, and only them, as the desktop user', () => {
    const identity: DesktopIdentity = {
      isolation: 'desktop-user',
      user: { name: 'boxroom-desktop', uid: 1001, gid: 1001 },
    };
    const specs = roomProcessSpecs({ ...config, app: 'browser' }, { ...opts, identity });
    const runAs = Object.fromEntries(specs.map((s) => [s.name, s.runAs ?? null]));
    expect(runAs).toEqual({
      xvfb: null,
      pulse: null,
      wm: { uid: 1001, gid: 1001 },
      app: { uid: 1001, gid: 1001 },
      x11vnc: null,
      clipboard: null,
      ffmpeg: null,
    });
    const app = specs.find((s) => s.name === 'app')!;
    expect(app.env).toMatchObject({ USER: 'boxroom-desktop', LOGNAME: 'boxroom-desktop' });
    // a root agent, but Chromium runs as its own user: its sandbox can work
    expect(app.args).not.toContain('--no-sandbox');
    // unless that user may not create user namespaces (a container, a hardened host)
    const noUserns = roomProcessSpecs(
      { ...config, app: 'browser' },
      { ...opts, identity, desktopUserNamespaces: false },
    ).find((s) => s.name === 'app')!;
    expect(noUserns.args).toContain('--no-sandbox');
  });

  it('writes the same cookie for Xvfb and the desktop, the one it is given', () => {
    const cookie = Buffer.alloc(16, 7);
    const entry = xauthorityEntry(150, cookie);
    expect(entry.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xff])); // FamilyWild
    expect(entry.subarray(-16)).toEqual(cookie);
    expect(entry.toString('latin1')).toContain('MIT-MAGIC-COOKIE-1');
    expect(entry.length).toBe(2 + 2 + 0 + 2 + 3 + 2 + 18 + 2 + 16);
  });

  it('runs Chromium for the browser app, which also needs pulse', () => {
    const app = roomProcessSpecs({ ...config, app: 'browser' }, opts).find((s) => s.name === 'app')!;
    expect(app.args[2]).toBe('chromium');
    expect(app.args).toContain('--no-sandbox');
    expect(app.args).toContain('--user-data-dir=/tmp/desk-r1/home/chromium');
    expect(app.dependsOn).toEqual(['xvfb', 'wm', 'pulse']);
  });

  it("opens the template's page, in kiosk mode when asked, in a normal window by default", () => {
    const page = 'http://127.0.0.1:8080/welcome?x=1';
    const appOf = (c: AgentConfig) => roomProcessSpecs(c, opts).find((s) => s.name === 'app')!;
    const normal = appOf({ ...config, app: 'browser', startUrl: page });
    expect(normal.args.at(-1)).toBe(page);
    expect(normal.args).not.toContain('--kiosk');
    const kiosk = appOf({ ...config, app: 'browser', startUrl: page, browserMode: 'kiosk' });
    expect(kiosk.args.slice(-2)).toEqual(['--kiosk', page]);
    expect(appOf({ ...config, app: 'browser' }).args.at(-1)).toBe('about:blank');
  });

  it("runs a template's command as given, in $HOME, with its environment under the desktop's", () => {
    const app = roomProcessSpecs(
      {
        ...config,
        app: 'command',
        appCommand: ['xclock', '-digital', '-update', '1'],
        appEnv: { TZ: 'Europe/Paris', LANG: 'fr_FR.UTF-8' },
      },
      opts,
    ).find((s) => s.name === 'app')!;
    expect(app.command).toBe('/bin/sh');
    expect(app.args.slice(2)).toEqual(['xclock', '-digital', '-update', '1']);
    expect(app.env).toMatchObject({ TZ: 'Europe/Paris', LANG: 'fr_FR.UTF-8', DISPLAY: ':150' });
    expect(app.dependsOn).toEqual(['xvfb', 'wm', 'pulse']);
  });

  it('runs the desktop session as the panel with the file manager beside it, windows free', () => {
    const specs = roomProcessSpecs({ ...config, app: 'desktop' }, opts);
    const app = specs.find((s) => s.name === 'app')!;
    expect(app.args.slice(2)).toEqual([
      '/bin/sh',
      '-c',
      'pcmanfm "$HOME" & exec tint2 -c "$0"',
      '/tmp/desk-r1/tint2rc',
    ]);
  });

  it('can leave processes out', () => {
    const names = roomProcessSpecs(config, { ...opts, include: (n) => n !== 'ffmpeg' }).map((s) => s.name);
    expect(names).toEqual(['xvfb', 'pulse', 'wm', 'app', 'x11vnc', 'clipboard']);
  });

  it('has no clipboard process without the binary or without a bridge to talk to it', () => {
    const names = (c: AgentConfig, o: typeof opts | Omit<typeof opts, 'clipboard'>) =>
      roomProcessSpecs(c, o).map((s) => s.name);
    expect(names({ ...config, clipboardBin: null }, opts)).not.toContain('clipboard');
    expect(names(config, { publishStdout, ffmpegReady, runningAsRoot: true })).not.toContain('clipboard');
  });

  it('runs boxroom-capture (the picture) and the sound`s ffmpeg under it in damage mode, ffmpeg alone in x11grab mode', () => {
    const ffmpegOf = (c: AgentConfig) => roomProcessSpecs(c, opts).find((s) => s.name === 'ffmpeg')!;
    const grab = ffmpegOf(config);
    expect(grab.command).toBe('ffmpeg');
    expect(grab.args).toContain('x11grab');

    const damage = ffmpegOf({ ...config, capture: 'damage' });
    expect(damage.command).toBe('/opt/boxroom/boxroom-capture');
    const sound = damage.args.indexOf('--sound');
    const base = damage.args[damage.args.indexOf('--clock-base') + 1]!;
    expect(damage.args.slice(0, sound)).toEqual([
      ...['--display', ':150', '--size', '1280x720', '--fps', '30'],
      ...['--clock-base', base, '--keyframe-ms', '1000'],
      ...['--maxrate-kbps', '4147', '--bufsize-kbps', '2074'],
      ...['--keepalive-ms', '500', '--pointer-poll-ms', '16'],
    ]);
    // the sound encoder (writing fd 3) is the last command: the picture is encoded in boxroom-capture
    expect(damage.args[sound + 1]).toBe('ffmpeg');
    expect(damage.args.slice(-4)).toEqual(['-f', 'flv', 'pipe:3', '--']);
    expect(damage.args).not.toContain('x11grab');
    expect(damage.args).not.toContain('pipe:1');
    // one clock base for the picture and the sound of a start
    const offsets = damage.args.flatMap((a, i) => (a === '-output_ts_offset' ? [damage.args[i + 1]] : []));
    expect(offsets).toEqual([`-${base}`]);
    expect(Math.abs(Number(base) * 1000 - Date.now())).toBeLessThan(5000);
    expect(damage.takeStdout).toBe(publishStdout);
    expect(damage.outputFd3).toBe(true);
    expect(damage.dependsOn).toEqual(['xvfb', 'pulse']);
    expect(damage.readiness).toEqual({ kind: 'probe', probe: ffmpegReady });
  });
});
