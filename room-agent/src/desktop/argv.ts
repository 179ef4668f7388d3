/**
 * Command lines of the room's processes, as pure functions so tests can pin them exactly.
 * Flags are chosen for an unattended, input-only, low-latency desktop; each non-obvious one says why.
 */

export interface CommandLine {
  command: string;
  args: string[];
}

/** Xvfb's resolution: fixed, so font sizes are the same in every room. */
export const XVFB_DPI = 96;

export interface ScreenOptions {
  display: number;
  width: number;
  height: number;
}

/** `authFile`: the Xauthority file whose cookie is the only way in (see xauthority.ts) */
export function xvfbArgv(o: ScreenOptions & { dpi?: number; authFile: string }): CommandLine {
  return {
    command: 'Xvfb',
    args: [
      `:${o.display}`,
      ...['-auth', o.authFile], // access control on: a client without the cookie is refused
      ...['-screen', '0', `${o.width}x${o.height}x24`],
      ...['-nolisten', 'tcp'], // clients are local; the unix socket is the readiness signal
      '-noreset', // keep running when the last client (e.g. the app during a restart) disconnects
      ...['-dpi', String(o.dpi ?? XVFB_DPI)], // fixed, so font sizes are the same in every room
    ],
  };
}

/**
 * Keep-warm latency of the null sink. With no stream playing into it, the null sink sleeps for its
 * maximum latency (2 s), so a recorder that connects then (ffmpeg at start or after a restart) gets
 * its first audio up to 2 s later, and ffmpeg publishes nothing until it has audio. A permanent
 * loopback of a silent source holds the sink at this latency (about 0.5 % of a core), and a suspend
 * and resume ends the 2 s sleep the sink began before the loopback attached. Measured, ffmpeg's first
 * FLV byte: at room start 2,190 -> 250-330 ms; restarted after 3 s without a recorder 1,208 -> 276 ms.
 */
export const PULSE_KEEPWARM_LATENCY_MS = 150;

/** The pulse daemon's script (-F): only what a null sink needs, no udev, D-Bus or suspend modules. */
export function pulseScript(o: { socketPath: string; sink?: string }): string {
  const sink = o.sink ?? PULSE_SINK;
  const ms = PULSE_KEEPWARM_LATENCY_MS;
  return [
    `load-module module-native-protocol-unix socket=${o.socketPath} auth-anonymous=1`,
    `load-module module-null-sink sink_name=${sink}`,
    `load-module module-null-source source_name=silence max_latency_msec=${ms}`,
    `load-module module-loopback source=silence sink=${sink} latency_msec=${ms} source_dont_move=true sink_dont_move=true`,
    `suspend-sink ${sink} 1`,
    `suspend-sink ${sink} 0`,
    `set-default-sink ${sink}`,
    `set-default-source ${sink}.monitor`,
    '',
  ].join('\n');
}

export const PULSE_SINK = 'room';
/** ffmpeg records what the room plays: the null sink's monitor. */
export const PULSE_MONITOR_SOURCE = `${PULSE_SINK}.monitor`;

export function pulseaudioArgv(o: { scriptPath: string }): CommandLine {
  return {
    command: 'pulseaudio',
    args: [
      '-n', // no default.pa: our script is the whole configuration
      ...['-F', o.scriptPath],
      '--exit-idle-time=-1',
      '--disallow-exit',
      // the desktop user reaches this daemon (the agent's uid) through its socket: a client that may
      // load modules may make it create files anywhere (module-pipe-sink) or dlopen any library
      // (module-ladspa-sink). The script's own modules load at startup, before this applies.
      '--disallow-module-loading',
      '--daemonize=no', // stay our child so the supervisor sees it exit
      '--use-pid-file=no', // a stale pid file (from a SIGKILL) would otherwise block the restart
      '--realtime=no', // both would ask rtkit over D-Bus, which is not there
      '--high-priority=no',
      '--log-target=stderr',
    ],
  };
}

/**
 * `--startup` runs once openbox manages the screen: the file it creates is the WM's readiness. The app
 * must start after that, or openbox adopts the app's window as a pre-existing one without giving it
 * the keyboard focus, and the first keystrokes of a room are lost (seen in about one start in three).
 */
export function openboxArgv(o: { configPath: string; readyFile: string }): CommandLine {
  return {
    command: 'openbox',
    args: ['--config-file', o.configPath, '--sm-disable', '--startup', `touch '${o.readyFile}'`],
  };
}

/**
 * Openbox configuration: every window maximized and undecorated (the room is one app), a click
 * focuses and raises (for dialogs), and no key or root-menu bindings the room's users could trip over.
 * A desktop session (`windows: 'free'`) is several windows side by side: they keep their size and
 * their title bars, to be moved, resized and closed.
 */
export function openboxConfig(o: { windows?: 'maximized' | 'free' } = {}): string {
  const frames = o.windows === 'free' ? FREE_WINDOW_BINDINGS : '';
  const applications =
    o.windows === 'free'
      ? ''
      : `  <applications>
    <application class="*" type="normal">
      <decor>no</decor>
      <maximized>yes</maximized>
    </application>
  </applications>
`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<openbox_config xmlns="http://openbox.org/3.4/rc">
  <focus><focusNew>yes</focusNew><followMouse>no</followMouse></focus>
  <placement><policy>Smart</policy></placement>
  <desktops><number>1</number></desktops>
  <keyboard></keyboard>
  <mouse>
    <context name="Client">
      <mousebind button="Left" action="Press"><action name="Focus"/><action name="Raise"/></mousebind>
      <mousebind button="Middle" action="Press"><action name="Focus"/><action name="Raise"/></mousebind>
      <mousebind button="Right" action="Press"><action name="Focus"/><action name="Raise"/></mousebind>
    </context>
${frames}  </mouse>
${applications}</openbox_config>
`;
}

/** Free windows' frames: a title bar drags the window, its buttons work, its edges resize it. */
const FREE_WINDOW_BINDINGS = `    <context name="Titlebar">
      <mousebind button="Left" action="Press"><action name="Focus"/><action name="Raise"/></mousebind>
      <mousebind button="Left" action="Drag"><action name="Move"/></mousebind>
      <mousebind button="Left" action="DoubleClick"><action name="ToggleMaximize"/></mousebind>
    </context>
    <context name="Close"><mousebind button="Left" action="Click"><action name="Close"/></mousebind></context>
    <context name="Maximize"><mousebind button="Left" action="Click"><action name="ToggleMaximize"/></mousebind></context>
    <context name="Iconify"><mousebind button="Left" action="Click"><action name="Iconify"/></mousebind></context>
    <context name="Left"><mousebind button="Left" action="Drag"><action name="Resize"/></mousebind></context>
    <context name="Right"><mousebind button="Left" action="Drag"><action name="Resize"/></mousebind></context>
    <context name="Bottom"><mousebind button="Left" action="Drag"><action name="Resize"/></mousebind></context>
    <context name="BLCorner"><mousebind button="Left" action="Drag"><action name="Resize"/></mousebind></context>
    <context name="BRCorner"><mousebind button="Left" action="Drag"><action name="Resize"/></mousebind></context>
`;

/** The terminal app's font size (at XVFB_DPI). */
export const XTERM_FONT_SIZE_PT = 12;

export function xtermArgv(o: { fontSize?: number } = {}): CommandLine {
  return {
    command: 'xterm',
    args: [
      '-maximized',
      ...['-fa', 'Monospace', '-fs', String(o.fontSize ?? XTERM_FONT_SIZE_PT)],
      ...['-bg', 'black', '-fg', 'white'],
      '+sb', // no scrollbar: the wheel scrolls, and the width goes to text
      ...['-sl', '10000'],
      ...['-T', 'terminal'],
      // A selection made with the mouse becomes CLIPBOARD, which the agent reports to the controller
      // (only CLIPBOARD changes are sent: PRIMARY changes with every selection in every program),
      // and a middle click or Shift+Insert pastes CLIPBOARD, where the controller's paste lands too.
      ...['-xrm', 'XTerm*selectToClipboard: true'],
    ],
  };
}

export interface ChromiumOptions {
  width: number;
  height: number;
  userDataDir: string;
  /** Chromium's sandbox needs user namespaces; as root it refuses to start without --no-sandbox */
  runningAsRoot: boolean;
  url?: string;
  /** full screen without the browser's own bars (a kiosk: the page is the room) */
  kiosk?: boolean;
}

export function chromiumArgv(o: ChromiumOptions): CommandLine {
  return {
    command: 'chromium',
    args: [
      ...(o.runningAsRoot ? ['--no-sandbox'] : []),
      `--user-data-dir=${o.userDataDir}`,
      '--start-maximized',
      '--window-position=0,0',
      `--window-size=${o.width},${o.height}`,
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-gpu', // Xvfb has no GPU; software paths are steadier
      '--disable-dev-shm-usage', // containers get a 64 MB /dev/shm
      '--password-store=basic', // no keyring daemon to wait for
      '--test-type', // hides the "unsupported command-line flag" bar that --no-sandbox brings
      ...(o.kiosk ? ['--kiosk'] : []),
      o.url ?? 'about:blank',
    ],
  };
}

export interface X11vncOptions {
  display: number;
  /** a unix socket in the agent's private dir: the only way in */
  socketPath: string;
}

/**
 * Input only: the picture travels through ffmpeg, so x11vnc never reads the framebuffer. It offers
 * RFB security type None, so it must be reachable by the agent alone: no TCP listener at all (IPv4
 * and IPv6 ports 0), only a unix socket in the agent's 0700 run dir. Checked with Debian's 0.9.16:
 * the socket accepts RFB connections (the libvncserver edit its help mentions is not needed) and no
 * TCP port is opened.
 */
export function x11vncArgv(o: X11vncOptions): CommandLine {
  return {
    command: 'x11vnc',
    args: [
      ...['-display', `:${o.display}`],
      ...['-unixsock', o.socketPath],
      ...['-rfbport', '0', '-rfbportv6', '0', '-no6'], // no TCP listener, v4 or v6
      '-noipv6',
      '-shared', // the gate keeps one connection per controller hand-off; never drop the others
      '-forever',
      '-nofb', // keyboard and pointer only: no screen polling
      '-noxdamage',
      '-nopw', // no password warning; the gate authenticates
      '-norc', // ignore any ~/.x11vncrc
      // Every client of the display (the desktop's programs have the cookie) could otherwise steer
      // x11vnc through X properties: X11VNC_REMOTE (`x11vnc -R rfbport:5999` opened a password-less
      // TCP listener on every address) and VNC_CONNECT (a reverse connection to any host:port).
      '-noremote',
      '-novncconnect',
      '-nocmds', // and it never runs an external command
      '-nobell',
      '-nocursor', // no cursor shape updates; the video shows the real cursor
      // The agent owns the room's selections (boxroom-clipboard) and applies the clipboard policy:
      // x11vnc must neither send the room's selections to the RFB client (that would bypass the
      // owner's copy-out switch) nor set them. It never sees a ClientCutText anyway (the gate keeps it).
      '-nosel',
      // Keys arrive as keysyms (what the user's layout produced, noVNC's default without the QEMU
      // key extension, which x11vnc does not offer) and are typed on Xvfb's US keymap: see
      // docs/decisions.md ("Keysyms, not scancodes"). -modtweak presses or releases Shift and AltGr so
      // a keysym comes out whatever modifiers the browser holds (AZERTY's Shift+1 is `1`); -add_keysyms
      // puts a keysym the US map lacks (EuroSign, ntilde) on a spare keycode. Both are x11vnc's
      // defaults, pinned because every non-US layout depends on them.
      '-modtweak',
      '-add_keysyms',
      // The browser sends the case CapsLock already applied ('A'); toggling the room's CapsLock as
      // well inverted it again ('a', measured). Lock keysyms are dropped, the letters carry the state.
      '-skip_lockkeys',
      '-q',
    ],
  };
}

/**
 * boxroom-clipboard (room-agent/capture/boxroom-clipboard.c): owns CLIPBOARD and PRIMARY for the
 * agent's pastes and reports CLIPBOARD changes, on its stdin and stdout. Runs as the agent, with its
 * cookie; the desktop's programs reach it only through the selections.
 */
export function clipboardArgv(o: { display: number; bin: string; maxBytes: number }): CommandLine {
  return {
    command: o.bin,
    args: ['--display', `:${o.display}`, '--max-bytes', String(o.maxBytes)],
  };
}

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
 * still left -100 ms after 30 s).
 */
const AUDIO_ON_WALL_CLOCK = 'aresample=async=1:min_hard_comp=0.015';

/**
 * ffmpeg's AAC encoder stamps its first packet 1,024 samples (21.3 ms) before zero, and an FLV muxer
 * shifts a file that starts below zero up to zero. With sound and picture in separate files that
 * would shift the sound alone, 21 ms late against the picture; both files are moved by this much
 * instead, so neither starts below zero and both keep the one timeline `-isync 0` gives them.
 */
const OUTPUT_TS_OFFSET_S = 0.1;

/** Per output file: write every packet to its pipe the moment it is muxed (no 32 KiB buffer). */
const FLV_OUT = ['-output_ts_offset', String(OUTPUT_TS_OFFSET_S), '-flvflags', 'no_duration_filesize'];
const FLUSH = ['-flush_packets', '1'];

/** The fd on which the "ffmpeg" unit writes its sound (an FLV with the AAC track alone). */
export const AUDIO_OUTPUT_FD = 3;

/**
 * The output side, the same in both capture modes; `keyframes` is what differs. Two FLV files: the
 * picture on stdout, the sound on fd 3 (AUDIO_OUTPUT_FD, a pipe the agent gives the unit). The agent
 * reads both and publishes them as one stream in process (flv-track-merge.ts): nothing on this
 * command line is a secret (every uid can read /proc/<pid>/cmdline), and there is no RTMP hop.
 *
 * Why two files: ffmpeg's muxer interleaves the streams of one file by time, so with sound and
 * picture on one clock (`-isync 0`) it held each frame until the audio of its time had come, and a
 * change on the screen took 80-140 ms to leave the capture instead of under 100. A file with one
 * stream waits for nothing. See docs/decisions.md ("Sound and picture in two pipes").
 */
function encodeArgs(o: FfmpegOptions, keyframes: string[]): string[] {
  const maxrate = o.maxrateKbps ?? defaultMaxrateKbps(o);
  const bufsize = o.bufsizeKbps ?? Math.round(maxrate / 2);
  return [
    ...['-map', '1:v', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency'],
    ...['-bf', '0', ...keyframes, '-sc_threshold', '0', '-pix_fmt', 'yuv420p'],
    ...['-maxrate', `${maxrate}k`, '-bufsize', `${bufsize}k`],
    ...FLV_OUT,
    ...FLUSH,
    ...['-f', 'flv', 'pipe:1'],
    ...['-map', '0:a', '-af', AUDIO_ON_WALL_CLOCK, '-c:a', 'aac', '-b:a', '128k', '-ar', '48000'],
    ...FLV_OUT,
    ...FLUSH,
    ...['-f', 'flv', `pipe:${AUDIO_OUTPUT_FD}`],
  ];
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

const pulseInput = (o: FfmpegOptions): string[] => [
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
 * keyframe, so this bounds how far back a join starts.
 */
export const KEYFRAME_INTERVAL_S = 1;

/**
 * Encode frames that boxroom-capture writes to stdin (yuv420p, the encoder's own format, so ffmpeg
 * converts nothing; whole screen, only when something changed or as a keepalive). Timestamps are
 * ffmpeg's wall clock when a frame arrives, like x11grab's and the pulse input's, so A/V sync holds; `-framerate 1000` only makes the demuxer's time base 1 ms (with
 * 1/fps, wall-clock stamps were rounded to the frame grid and frames sharing a slot were dropped).
 * `-fps_mode passthrough` keeps the variable rate (no duplicates filled in), `-r` gives the encoder
 * and the stream's metadata the nominal rate, and `-enc_time_base 1:1000` keeps ms precision through
 * the encoder. A short input queue pushes back on the capture program when the encoder falls behind,
 * so it captures the newest screen when the encoder is ready instead of queueing stale frames.
 */
export function ffmpegPipeArgv(o: FfmpegOptions): CommandLine {
  return {
    command: 'ffmpeg',
    args: [
      ...['-loglevel', 'warning', '-nostdin'],
      ...pulseInput(o),
      ...['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-video_size', `${o.width}x${o.height}`],
      ...['-framerate', '1000', '-use_wallclock_as_timestamps', '1', '-thread_queue_size', '8'],
      ...[...SYNC_TO_PULSE, '-i', 'pipe:0'],
      ...['-fps_mode', 'passthrough', '-r', String(o.fps), '-enc_time_base', '1:1000'],
      ...encodeArgs(o, ['-force_key_frames', `expr:gte(t,n_forced*${KEYFRAME_INTERVAL_S})`]),
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
  /** the encoder it runs with the frames on its stdin */
  encoder: CommandLine;
}

/**
 * boxroom-capture and the encoder it runs: one supervised unit, so either one ending restarts both.
 * The encoder inherits boxroom-capture's stdout and fd 3 (it writes nothing to either itself), so its
 * two FLV files reach the agent through the unit's pipes as in x11grab mode.
 */
export function captureArgv(o: CaptureOptions): CommandLine {
  return {
    command: o.bin,
    args: [
      ...['--display', `:${o.display}`, '--size', `${o.width}x${o.height}`, '--fps', String(o.fps)],
      ...['--keepalive-ms', String(o.keepaliveMs ?? CAPTURE_KEEPALIVE_MS)],
      ...['--pointer-poll-ms', String(o.pointerPollMs ?? CAPTURE_POINTER_POLL_MS)],
      '--',
      o.encoder.command,
      ...o.encoder.args,
    ],
  };
}
