import type { AgentConfig } from '../config.js';
import { chromiumArgv, xtermArgv, type CommandLine } from './argv.js';

/**
 * The room's app as its template says (config.app): xterm, Chromium, the light desktop session or
 * the template's own argv. Pure, like argv.ts, so tests pin the exact command lines.
 */

/** The panel's configuration file and the file manager's first folder, for the desktop session. */
export interface DesktopSessionOptions {
  panelConfig: string;
}

/**
 * The `desktop` app: a panel (tint2: launchers, the task list, a clock) and a file manager window
 * (pcmanfm, in $HOME). One supervised unit: the shell starts the file manager in the background and
 * becomes the panel, so the unit lives as long as the panel does, and a restart of the unit (which
 * signals its whole process group) ends both before starting both afresh.
 */
export function desktopSessionArgv(o: DesktopSessionOptions): CommandLine {
  return {
    command: '/bin/sh',
    args: ['-c', 'pcmanfm "$HOME" & exec tint2 -c "$0"', o.panelConfig],
  };
}

/** A template's argv: the first item is looked up on PATH (execvp), the rest are its arguments. */
export function commandArgv(argv: readonly string[]): CommandLine {
  const [command, ...args] = argv;
  if (!command) throw new Error('an app command needs at least its program');
  return { command, args };
}

/**
 * Whether the room's X server offers GLX. The terminal (xterm) and the browser (Chromium, run with
 * --disable-gpu) never use it, and leaving it out makes Xvfb's start ~80-100 ms of CPU cheaper; the
 * desktop session's launchers and a template's command may start anything, so theirs keep it. A GL
 * program started by hand from a terminal room's shell finds no GLX (Chromium falls back to its
 * software paths); a template with `command` is the way to run one.
 */
export function appNeedsGlx(app: AgentConfig['app']): boolean {
  return app === 'desktop' || app === 'command';
}

export function appArgv(
  config: Pick<AgentConfig, 'app' | 'appCommand' | 'width' | 'height' | 'startUrl' | 'browserMode'>,
  o: { userDataDir: string; runningAsRoot: boolean; panelConfig: string },
): CommandLine {
  switch (config.app) {
    case 'browser':
      return chromiumArgv({
        width: config.width,
        height: config.height,
        userDataDir: o.userDataDir,
        runningAsRoot: o.runningAsRoot,
        kiosk: config.browserMode === 'kiosk',
        ...(config.startUrl ? { url: config.startUrl } : {}),
      });
    case 'desktop':
      return desktopSessionArgv({ panelConfig: o.panelConfig });
    case 'command':
      return commandArgv(config.appCommand ?? []);
    case 'terminal':
      return xtermArgv();
  }
}

/**
 * tint2's configuration for the desktop session: one bar at the bottom with launchers (terminal,
 * browser, files: a launcher whose .desktop file is not installed is left out by tint2), the windows
 * of the desktop and a clock. Every key is tint2's own (tint2rc(5)).
 */
export function panelConfig(): string {
  return `# written by the room agent at every start of the window manager
rounded = 0
border_width = 0
background_color = #1f2328 100
border_color = #000000 0

rounded = 2
border_width = 0
background_color = #3d444d 100
border_color = #000000 0

panel_items = LTC
panel_size = 100% 32
panel_margin = 0 0
panel_padding = 4 2 4
panel_position = bottom center horizontal
panel_layer = top
panel_background_id = 1
wm_menu = 1
strut_policy = follow_size

launcher_padding = 2 2 4
launcher_icon_size = 24
launcher_item_app = debian-xterm.desktop
launcher_item_app = chromium.desktop
launcher_item_app = pcmanfm.desktop

taskbar_mode = single_desktop
taskbar_padding = 2 2 4
taskbar_name = 0
task_text = 1
task_icon = 1
task_centered = 0
task_maximum_size = 220 28
task_padding = 4 2 4
task_font_color = #e6edf3 100
task_active_font_color = #ffffff 100
task_background_id = 0
task_active_background_id = 2

time1_format = %H:%M
clock_font_color = #e6edf3 100
clock_padding = 6 0
`;
}
