import type { Logger } from '../logger.js';

/** What boxroom-capture takes from the agent: SIGUSR1 ends its sound encoder, SIGUSR2 starts a new one. */
export type SoundSignal = 'SIGUSR1' | 'SIGUSR2';

export interface SoundSleepOptions {
  /** everyone the stream reaches: viewers (the recorder and relayed ones among them) */
  viewers: { viewerCount(): number };
  /** sends the signal to the running capture unit; false when none runs */
  signal(sig: SoundSignal): boolean;
  /** how long the room goes without a viewer before the sound sleeps; 0: never */
  idleMs: number;
  log: Logger;
}

/**
 * The sound is encoded only while someone can hear it. On a still screen with nobody watching, the
 * sound's encoder, PulseAudio feeding it every 20 ms and the agent taking each AAC frame cost about
 * two thirds of an idle room's CPU (docs/decisions.md, "The sound sleeps while nobody watches"). After
 * `idleMs` without a viewer the capture unit is told to end its sound encoder; the first viewer wakes
 * it: a new encoder's sound reaches viewers ~0.3 s later (the picture goes on throughout, and the
 * page starts muted). The unit starts with its sound awake; call unitStarted() each time one does,
 * unitEnded() when it ends, viewersChanged() when the count may have changed.
 */
export class SoundSleep {
  private asleep = false;
  /** a unit runs whose signals are set up (it has published): signals go to no other */
  private live = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly o: SoundSleepOptions) {}

  unitStarted(): void {
    this.live = true;
    this.asleep = false;
    this.viewersChanged();
  }

  unitEnded(): void {
    this.live = false;
    this.clearTimer();
  }

  viewersChanged(): void {
    if (!this.live || this.o.idleMs <= 0) return;
    if (this.o.viewers.viewerCount() > 0) {
      this.clearTimer();
      if (this.asleep && this.o.signal('SIGUSR2')) {
        this.asleep = false;
        this.o.log.info('a viewer came: the sound wakes');
      }
      return;
    }
    if (this.asleep || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.live || this.o.viewers.viewerCount() > 0) return;
      if (this.o.signal('SIGUSR1')) {
        this.asleep = true;
        this.o.log.info({ idleMs: this.o.idleMs }, 'nobody watching: the sound sleeps');
      }
    }, this.o.idleMs);
    this.timer.unref();
  }

  isAsleep(): boolean {
    return this.asleep;
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
