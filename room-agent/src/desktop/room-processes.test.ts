import { describe, expect, it } from 'vitest';
import type { AgentConfig } from '../config.js';
import { DependencyGraph } from '../supervisor/dependency-graph.js';
import { roomProcessSpecs } from './room-processes.js';

const config: AgentConfig = Object.freeze({
  roomId: 'r1',
  host: '127.0.0.1',
  port: 9000,
  display: 150,
  width: 1280,
  height: 720,
  fps: 30,
  app: 'terminal',
  capture: 'x11grab',
  captureBin: '/opt/boxroom/boxroom-capture',
  rtmpPort: 19350,
  mediaHttpPort: 0,
  vncPort: 6050,
  runDir: '/run/boxroom-r1',
  publicKeyPem: 'unused',
  viewerMaxBacklogBytes: 1 << 20,
  controlIdleMs: 0,
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
const opts = { rtmpUrl: 'rtmp://127.0.0.1:19350/live/r1?sign=1-a', ffmpegReady, runningAsRoot: true };

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
      ['ffmpeg', ['xvfb', 'pulse']],
    ]);
    expect(by.xvfb!.readiness).toEqual({ kind: 'unix-socket', path: '/tmp/.X11-unix/X150' });
    expect(by.pulse!.readiness).toEqual({ kind: 'unix-socket', path: '/run/boxroom-r1/pulse/native' });
    expect(by.x11vnc!.readiness).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 6050 });
    expect(by.ffmpeg!.readiness).toEqual({ kind: 'probe', probe: ffmpegReady });
    expect(by.wm!.readiness).toEqual({ kind: 'file', path: '/run/boxroom-r1/wm-ready' });
    expect(by.ffmpeg!.args.at(-1)).toBe(opts.rtmpUrl);
    expect(new DependencyGraph(specs).dependentsOf('xvfb').sort()).toEqual(['app', 'ffmpeg', 'wm', 'x11vnc']);
  });

  it('gives X clients DISPLAY, PULSE_SERVER and a HOME in runDir', () => {
    const app = roomProcessSpecs(config, opts).find((s) => s.name === 'app')!;
    expect(app.env).toEqual({
      HOME: '/run/boxroom-r1/home',
      XDG_RUNTIME_DIR: '/run/boxroom-r1/xdg',
      DISPLAY: ':150',
      PULSE_SERVER: 'unix:/run/boxroom-r1/pulse/native',
    });
    expect(app.command).toBe('xterm');
  });

  it('runs Chromium for the browser app, which also needs pulse', () => {
    const app = roomProcessSpecs({ ...config, app: 'browser' }, opts).find((s) => s.name === 'app')!;
    expect(app.command).toBe('chromium');
    expect(app.args).toContain('--no-sandbox');
    expect(app.args).toContain('--user-data-dir=/run/boxroom-r1/chromium');
    expect(app.dependsOn).toEqual(['xvfb', 'wm', 'pulse']);
  });

  it('can leave processes out', () => {
    const names = roomProcessSpecs(config, { ...opts, include: (n) => n !== 'ffmpeg' }).map((s) => s.name);
    expect(names).toEqual(['xvfb', 'pulse', 'wm', 'app', 'x11vnc']);
  });

  it('runs ffmpeg under boxroom-capture in damage mode, ffmpeg alone in x11grab mode', () => {
    const ffmpegOf = (c: AgentConfig) => roomProcessSpecs(c, opts).find((s) => s.name === 'ffmpeg')!;
    const grab = ffmpegOf(config);
    expect(grab.command).toBe('ffmpeg');
    expect(grab.args).toContain('x11grab');

    const damage = ffmpegOf({ ...config, capture: 'damage' });
    expect(damage.command).toBe('/opt/boxroom/boxroom-capture');
    const sep = damage.args.indexOf('--');
    expect(damage.args.slice(0, sep)).toEqual([
      ...['--display', ':150', '--size', '1280x720', '--fps', '30'],
      ...['--keepalive-ms', '500', '--pointer-poll-ms', '16'],
    ]);
    expect(damage.args[sep + 1]).toBe('ffmpeg');
    expect(damage.args).toContain('pipe:0');
    expect(damage.args).not.toContain('x11grab');
    expect(damage.args.at(-1)).toBe(opts.rtmpUrl);
    expect(damage.dependsOn).toEqual(['xvfb', 'pulse']);
    expect(damage.readiness).toEqual({ kind: 'probe', probe: ffmpegReady });
  });
});
