import type { AgentLiveSettings } from '@boxroom/contracts';
import type { Logger } from '../logger.js';
import type { LiveSettings } from './live-settings.js';

/** A push the room cannot follow (too large for its screen, or not resizable): 409 to the dashboard. */
export class SettingsRefused extends Error {}

export interface SettingsApplierDeps {
  live: LiveSettings;
  /** ScreenSize: sets the running screen's size; `resizable` false refuses every size change */
  screen: { readonly resizable: boolean; set(width: number, height: number): Promise<void> };
  /** the largest size (Xvfb's framebuffer) */
  maxWidth: number;
  maxHeight: number;
  /**
   * Starts the screen's fixed-size readers again at the new size: the capture, whose encoder writes
   * new sequence headers (a new AVC configuration in the FLV) that the viewers' players follow
   * without reconnecting, and x11vnc (see docs/decisions.md: with -nofb, its own -xrandr crashed it).
   */
  restartReaders(why: string): Promise<void>;
  log: Logger;
}

/**
 * Applies what the dashboard pushes (POST /settings): the clipboard policy at once; a new size by
 * resizing the screen first (every X client learns it from the server: openbox refits maximized
 * windows), then announcing it, then restarting the capture and x11vnc at the new size. One push at
 * a time, so two quick resizes end at the last one.
 */
export class SettingsApplier {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly log: Logger;

  constructor(private readonly d: SettingsApplierDeps) {
    this.log = d.log.child({ mod: 'settings' });
  }

  apply(next: AgentLiveSettings): Promise<void> {
    const run = this.queue.then(() => this.applyNow(next));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async applyNow(next: AgentLiveSettings): Promise<void> {
    const { live, screen } = this.d;
    const before = live.current();
    const resize = next.width !== before.width || next.height !== before.height;
    if (resize) {
      if (!screen.resizable) throw new SettingsRefused('this room cannot be resized while it runs');
      if (next.width > this.d.maxWidth || next.height > this.d.maxHeight)
        throw new SettingsRefused(
          `this room's screen is at most ${this.d.maxWidth}x${this.d.maxHeight}; ${next.width}x${next.height} does not fit`,
        );
      await screen.set(next.width, next.height);
    }
    if (!live.set(next)) return;
    this.log.info(
      { width: next.width, height: next.height, clipboard: next.settings.clipboard, timeouts: next.timeouts },
      'live settings changed',
    );
    if (resize) await this.d.restartReaders(`resized to ${next.width}x${next.height}`);
  }
}
