import { EventEmitter } from 'node:events';
import type { ProcessHealth } from '@boxroom/contracts';
import { SYSTEM_CLOCK, type Clock } from '../clock.js';

export interface GiveUpWatchOptions {
  /** the desktop not all ready for this long: the room has failed; 0: never give up */
  giveUpMs: number;
  /** the supervisor's view: every process ready, and each one's state */
  allReady: () => boolean;
  processes: () => ProcessHealth[];
  /** how often to look */
  tickMs?: number;
  clock?: Clock;
}

export interface GiveUpWatchEvents {
  /** once: the desktop did not come back in time; `detail` names the processes that did not */
  'give-up': [detail: string];
}

/**
 * The supervisor restarts a crashed process for ever, with backoff. A desktop that does not come
 * back is not "restarting" though: viewers would wait for it for ever. This watch declares the room
 * failed when the desktop has not been all ready for `giveUpMs` (counted from the start, and from
 * the last moment it was), so the agent can tell viewers (close 4504) and end itself.
 */
export class GiveUpWatch extends EventEmitter<GiveUpWatchEvents> {
  private readonly clock: Clock;
  private lastOkAt: number;
  private timer: unknown = null;
  private done = false;

  constructor(private readonly o: GiveUpWatchOptions) {
    super();
    this.clock = o.clock ?? SYSTEM_CLOCK;
    this.lastOkAt = this.clock.now();
  }

  start(): void {
    if (this.o.giveUpMs <= 0 || this.timer !== null || this.done) return;
    this.lastOkAt = this.clock.now();
    this.schedule();
  }

  close(): void {
    this.done = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** One look; public for tests. */
  check(): void {
    if (this.done) return;
    const now = this.clock.now();
    if (this.o.allReady()) {
      this.lastOkAt = now;
      return;
    }
    if (now - this.lastOkAt < this.o.giveUpMs) return;
    this.done = true;
    const down = this.o
      .processes()
      .filter((p) => p.status !== 'ready')
      .map((p) => `${p.name} ${p.status}${p.restarts ? ` after ${p.restarts} restarts` : ''}`);
    this.emit(
      'give-up',
      `the desktop did not come back in ${Math.round(this.o.giveUpMs / 1000)} s (${down.join(', ')})`,
    );
  }

  private schedule(): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.check();
      if (!this.done) this.schedule();
    }, this.o.tickMs ?? 1000);
  }
}
