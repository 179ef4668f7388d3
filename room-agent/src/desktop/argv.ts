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

/**
 * `authFile`: the Xauthority file whose cookie is the only way in (see xauthority.ts). `glx: false`
 * leaves GLX out: its start (Mesa's software renderer) cost Xvfb ~80-100 ms of CPU, on the path to
 * a room's first frame (which apps go without it: appNeedsGlx).
 */
export function xvfbArgv(o: ScreenOptions & { dpi?: number; authFile: string; glx?: boolean }): CommandLine {
  return {
    command: 'Xvfb',
    args: [
      `:${o.display}`,
      ...['-auth', o.authFile], // access control on: a client without the cookie is refused
      ...['-screen', '0', `${o.width}x${o.height}x24`],
      ...['-nolisten', 'tcp'], // clients are local; the unix socket is the readiness signal
      '-noreset', // keep running when the last client (e.g. the app during a restart) disconnects
      ...['-dpi', String(o.dpi ?? XVFB_DPI)], // fixed, so font sizes are the same in every room
      ...(o.glx === false ? ['-extension', 'GLX'] : []),
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
