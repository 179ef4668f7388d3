import { execFile } from 'node:child_process';
import type { Logger } from '../logger.js';

/** boxroom-screen answers in ~10 ms (measured); far more means the X server hangs. */
const SCREEN_TIMEOUT_MS = 5_000;

export interface ScreenSizeOptions {
  /** boxroom-screen; null when it was not built: the screen keeps the size Xvfb started with */
  bin: string | null;
  display: number;
  /** the agent's own X cookie (the agent is an X client like x11vnc and the capture) */
  xauthority: string;
  log: Logger;
}

export class ScreenResizeError extends Error {}

/** The command line of one resize, pure so a test can pin it. */
export function screenSizeArgv(display: number, width: number, height: number): string[] {
  return ['--display', `:${display}`, '--size', `${width}x${height}`];
}

/**
 * Sets the size of the room's running screen (room-agent/capture/boxroom-screen.c): Xvfb keeps its
 * framebuffer, the windows and every client stay connected, and clients that follow RandR (openbox,
 * Chromium) learn the new size from the server.
 */
export class ScreenSize {
  private readonly log: Logger;

  constructor(private readonly o: ScreenSizeOptions) {
    this.log = o.log.child({ mod: 'screen' });
  }

  get resizable(): boolean {
    return this.o.bin !== null;
  }

  set(width: number, height: number): Promise<void> {
    const bin = this.o.bin;
    if (!bin) return Promise.reject(new ScreenResizeError('this room cannot be resized (no boxroom-screen)'));
    const started = performance.now();
    return new Promise((resolve, reject) => {
      execFile(
        bin,
        screenSizeArgv(this.o.display, width, height),
        {
          // an absolute path: no PATH needed, and nothing else of the agent's environment
          env: { XAUTHORITY: this.o.xauthority },
          timeout: SCREEN_TIMEOUT_MS,
        },
        (err, _stdout, stderr) => {
          if (err) {
            this.log.error({ width, height, stderr: stderr.trim().slice(0, 300) }, 'screen resize failed');
            reject(new ScreenResizeError(`the screen could not be set to ${width}x${height}`));
            return;
          }
          this.log.info({ width, height, ms: Math.round(performance.now() - started) }, 'screen resized');
          resolve();
        },
      );
    });
  }
}
