import { describe, expect, it } from 'vitest';
import {
  chromiumArgv,
  clipboardArgv,
  openboxArgv,
  openboxConfig,
  pulseaudioArgv,
  pulseScript,
  x11vncArgv,
  xtermArgv,
  xvfbArgv,
} from './argv.js';
import { captureArgv, defaultMaxrateKbps, ffmpegArgv, soundArgv, streamClockBase } from './encoder-argv.js';

describe('argv builders', () => {
  it('Xvfb', () => {
    expect(xvfbArgv({ display: 150, width: 1280, height: 720, authFile: '/run/r/xauthority' })).toEqual({
      command: 'Xvfb',
      args: [
        ...[':150', '-auth', '/run/r/xauthority', '-screen', '0', '1280x720x24'],
        ...['-nolisten', 'tcp', '-noreset', '-dpi', '96'],
      ],
    });
    const noGlx = xvfbArgv({ display: 150, width: 1280, height: 720, authFile: '/a', glx: false });
    expect(noGlx.args.slice(-2)).toEqual(['-extension', 'GLX']);
  });

  it('PulseAudio script and command line', () => {
    expect(pulseScript({ socketPath: '/run/r/pulse/native' })).toBe(
      'load-module module-native-protocol-unix socket=/run/r/pulse/native auth-anonymous=1\n' +
        'load-module module-null-sink sink_name=room\n' +
        'load-module module-null-source source_name=silence max_latency_msec=150\n' +
        'load-module module-loopback source=silence sink=room latency_msec=150 source_dont_move=true sink_dont_move=true\n' +
        'suspend-sink room 1\n' +
        'suspend-sink room 0\n' +
        'set-default-sink room\n' +
        'set-default-source room.monitor\n',
    );
    expect(pulseaudioArgv({ scriptPath: '/run/r/pulse/boxroom.pa' })).toEqual({
      command: 'pulseaudio',
      args: [
        '-n',
        '-F',
        '/run/r/pulse/boxroom.pa',
        '--exit-idle-time=-1',
        '--disallow-exit',
        '--disallow-module-loading',
        '--daemonize=no',
        '--use-pid-file=no',
        '--realtime=no',
        '--high-priority=no',
        '--log-target=stderr',
      ],
    });
  });

  it('openbox, with every window maximized and undecorated, signalling readiness by a file', () => {
    expect(openboxArgv({ configPath: '/run/r/openbox-rc.xml', readyFile: '/run/r/wm-ready' })).toEqual({
      command: 'openbox',
      args: [
        '--config-file',
        '/run/r/openbox-rc.xml',
        '--sm-disable',
        '--startup',
        "touch '/run/r/wm-ready'",
      ],
    });
    expect(openboxConfig()).toContain(
      '<application class="*" type="normal">\n      <decor>no</decor>\n      <maximized>yes</maximized>',
    );
  });

  it('xterm', () => {
    expect(xtermArgv()).toEqual({
      command: 'xterm',
      args: [
        '-maximized',
        '-fa',
        'Monospace',
        '-fs',
        '12',
        '-bg',
        'black',
        '-fg',
        'white',
        '+sb',
        '-sl',
        '10000',
        '-T',
        'terminal',
        '-xrm',
        'XTerm*selectToClipboard: true',
      ],
    });
  });

  it('chromium, with --no-sandbox only as root', () => {
    const common = [
      '--user-data-dir=/run/r/chromium',
      '--start-maximized',
      '--window-position=0,0',
      '--window-size=1280,720',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--password-store=basic',
      '--test-type',
      'about:blank',
    ];
    const base = { width: 1280, height: 720, userDataDir: '/run/r/chromium' };
    expect(chromiumArgv({ ...base, runningAsRoot: false })).toEqual({ command: 'chromium', args: common });
    expect(chromiumArgv({ ...base, runningAsRoot: true })).toEqual({
      command: 'chromium',
      args: ['--no-sandbox', ...common],
    });
  });

  it('x11vnc, input only, on a unix socket and no TCP port', () => {
    expect(x11vncArgv({ display: 150, socketPath: '/run/r/vnc.sock' })).toEqual({
      command: 'x11vnc',
      args: [
        ...['-display', ':150', '-unixsock', '/run/r/vnc.sock'],
        ...['-rfbport', '0', '-rfbportv6', '0', '-no6', '-noipv6'],
        '-shared',
        '-forever',
        '-nofb',
        '-noxdamage',
        '-nopw',
        '-norc',
        '-noremote',
        '-novncconnect',
        '-nocmds',
        '-nobell',
        '-nocursor',
        '-nosel',
        '-modtweak',
        '-add_keysyms',
        '-skip_lockkeys',
        '-q',
      ],
    });
  });

  it('boxroom-clipboard', () => {
    expect(clipboardArgv({ display: 150, bin: '/opt/boxroom/boxroom-clipboard', maxBytes: 4096 })).toEqual({
      command: '/opt/boxroom/boxroom-clipboard',
      args: ['--display', ':150', '--max-bytes', '4096'],
    });
  });

  it('ffmpeg, pulse first then x11grab on its clock, picture FLV to stdout and sound FLV to fd 3', () => {
    expect(ffmpegArgv({ display: 150, width: 1280, height: 720, fps: 30 })).toEqual({
      command: 'ffmpeg',
      args: [
        ...['-loglevel', 'warning', '-nostdin'],
        ...['-f', 'pulse', '-thread_queue_size', '1024', '-i', 'room.monitor'],
        ...[
          '-f',
          'x11grab',
          '-thread_queue_size',
          '1024',
          '-framerate',
          '30',
          '-video_size',
          '1280x720',
          '-draw_mouse',
          '1',
          '-isync',
          '0',
          '-i',
          ':150',
        ],
        ...['-map', '1:v', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency'],
        ...['-bf', '0', '-g', '30', '-keyint_min', '30', '-sc_threshold', '0', '-pix_fmt', 'yuv420p'],
        ...['-maxrate', '4147k', '-bufsize', '2074k'],
        ...['-output_ts_offset', '0.1', '-flvflags', 'no_duration_filesize', '-flush_packets', '1'],
        ...['-f', 'flv', 'pipe:1'],
        ...['-map', '0:a', '-af', 'aresample=async=1:min_hard_comp=0.015'],
        ...['-c:a', 'aac', '-b:a', '128k', '-ar', '48000'],
        ...['-output_ts_offset', '0.1', '-flvflags', 'no_duration_filesize', '-flush_packets', '1'],
        ...['-f', 'flv', 'pipe:3'],
      ],
    });
    const sixty = ffmpegArgv({
      display: 1,
      width: 1920,
      height: 1080,
      fps: 60,
      maxrateKbps: 8000,
      bufsizeKbps: 1000,
    }).args;
    expect(sixty.slice(sixty.indexOf('-g'), sixty.indexOf('-g') + 4)).toEqual([
      '-g',
      '60',
      '-keyint_min',
      '60',
    ]);
    expect(sixty.slice(sixty.indexOf('-maxrate'), sixty.indexOf('-maxrate') + 4)).toEqual([
      '-maxrate',
      '8000k',
      '-bufsize',
      '1000k',
    ]);
    expect(defaultMaxrateKbps({ display: 1, width: 1280, height: 720, fps: 30 })).toBe(4147);
  });

  it('the sound beside it: its own ffmpeg, the same clock base, its FLV on fd 3', () => {
    expect(soundArgv({}, '1796360820.392')).toEqual({
      command: 'ffmpeg',
      args: [
        ...['-loglevel', 'warning', '-nostdin'],
        ...['-fragment_size', '3840'],
        ...['-f', 'pulse', '-thread_queue_size', '1024', '-i', 'room.monitor'],
        '-copyts',
        ...['-map', '0:a', '-af', 'aresample=async=1:min_hard_comp=0.015'],
        ...['-c:a', 'aac', '-b:a', '128k', '-ar', '48000'],
        ...[
          '-output_ts_offset',
          '-1796360820.392',
          '-flvflags',
          'no_duration_filesize',
          '-flush_packets',
          '1',
        ],
        ...['-f', 'flv', 'pipe:3'],
      ],
    });
  });

  it('the clock base is the wall clock 0.1 s before the encoders start, in seconds to the ms', () => {
    expect(streamClockBase(1796360820492)).toBe('1796360820.392');
  });

  it('boxroom-capture: the picture encoded in it (the clock base, keyframes by time, the VBV), the sound`s encoder beside it', () => {
    expect(
      captureArgv({
        bin: '/opt/boxroom/boxroom-capture',
        display: 99,
        width: 1280,
        height: 720,
        fps: 30,
        clockBase: '1796360820.392',
      }),
    ).toEqual({
      command: '/opt/boxroom/boxroom-capture',
      args: [
        ...['--display', ':99', '--size', '1280x720', '--fps', '30'],
        ...['--clock-base', '1796360820.392', '--keyframe-ms', '1000'],
        ...['--maxrate-kbps', '4147', '--bufsize-kbps', '2074'],
        ...['--keepalive-ms', '500', '--pointer-poll-ms', '16'],
      ],
    });
    const tuned = captureArgv({
      bin: 'boxroom-capture',
      display: 1,
      width: 640,
      height: 480,
      fps: 60,
      clockBase: '1.000',
      keepaliveMs: 1000,
      pointerPollMs: 8,
      maxrateKbps: 8000,
      bufsizeKbps: 1000,
    }).args;
    expect(tuned).toEqual([
      ...['--display', ':1', '--size', '640x480', '--fps', '60'],
      ...['--clock-base', '1.000', '--keyframe-ms', '1000'],
      ...['--maxrate-kbps', '8000', '--bufsize-kbps', '1000'],
      ...['--keepalive-ms', '1000', '--pointer-poll-ms', '8'],
    ]);
    const withSound = captureArgv({
      bin: 'boxroom-capture',
      display: 1,
      width: 640,
      height: 480,
      fps: 30,
      clockBase: '1.000',
      sound: { command: 'ffmpeg', args: ['-f', 'pulse', '-i', 'room.monitor', 'pipe:3'] },
    }).args;
    expect(withSound.slice(withSound.indexOf('--sound'))).toEqual([
      ...['--sound', 'ffmpeg', '-f', 'pulse', '-i', 'room.monitor', 'pipe:3', '--'],
    ]);
  });
});
