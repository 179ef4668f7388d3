import type { Logger } from '../logger.js';
import { recreateDesktopHome, type DesktopPaths } from './desktop-dirs.js';
import type { DesktopIdentity } from './desktop-user.js';
import { sweepAsDesktop } from './desktop-sweep.js';

/** What the reset needs of the supervisor: a deliberate restart of some processes, no backoff. */
export interface Restarter {
  restart(names: readonly string[], why: string, between?: () => Promise<void>): Promise<void>;
}

export interface DesktopResetOptions {
  identity: DesktopIdentity;
  paths: DesktopPaths;
  supervisor: Restarter;
  log: Logger;
  /** the desktop's supervised processes */
  names?: readonly string[];
}

/**
 * POST /desktop/reset. Any process of the desktop uid can type and click through XTEST, so a former
 * controller's background job keeps acting on the desktop after control moved on. The remedy ends
 * every process of the desktop uid (as that uid: kill(-1)), empties its home (nothing left there may
 * start such a job again; a persistent profile's home is kept: docs/profiles.md) and starts the window manager and the app afresh at once. Xvfb, x11vnc,
 * the stream, viewers and the control lease are not touched.
 *
 * Without a desktop user only the wm's and the app's process groups can be ended: a job that left
 * its group (setsid) survives, which /healthz says by `isolation: "none"`.
 */
export class DesktopReset {
  private running: Promise<void> | null = null;
  private readonly log: Logger;

  constructor(private readonly o: DesktopResetOptions) {
    this.log = o.log.child({ mod: 'desktop-reset' });
  }

  /** Resolves once the wm and app were started again; a reset asked for meanwhile joins this one. */
  reset(by: string): Promise<void> {
    if (this.running) return this.running;
    const t0 = Date.now();
    this.log.info({ by, isolation: this.o.identity.isolation }, 'desktop reset');
    this.running = this.run().then(
      () => {
        this.running = null;
        this.log.info({ ms: Date.now() - t0 }, 'desktop reset done');
      },
      (err: unknown) => {
        this.running = null;
        this.log.error({ err }, 'desktop reset failed');
        throw err;
      },
    );
    return this.running;
  }

  private run(): Promise<void> {
    const { identity, paths, supervisor } = this.o;
    const names = this.o.names ?? ['app', 'wm'];
    if (identity.isolation !== 'desktop-user') return supervisor.restart(names, 'desktop reset');
    const { user } = identity;
    return supervisor.restart(names, 'desktop reset', async () => {
      // a persistent profile is what its owner asked to keep: its processes end, its files stay
      const empty = paths.homeKept ? [paths.xdgRuntimeDir] : [paths.home, paths.xdgRuntimeDir];
      await sweepAsDesktop(user, { kill: true, empty });
      await recreateDesktopHome(paths, identity);
    });
  }
}
