import { EventEmitter } from 'node:events';
import { SYSTEM_CLOCK, type Clock } from '../clock.js';

export type DashboardSilenceEvents = {
  /** no dashboard request for `silenceMs`: the agent stops itself */
  silent: [{ silenceMs: number; lastHeardAt: number }];
};

/**
 * A room whose dashboard is gone for good must not run (and encode) for ever: the local driver's
 * rooms outlive an ended `npm start`. The dashboard calls every room well within the limit (state
 * polls, with its own agent-audience token); each such request calls `heard()`. Other requests (a
 * participant's) do not count: a room with a forgotten browser tab must still end. 0 turns it off.
 */
export class DashboardSilence extends EventEmitter<DashboardSilenceEvents> {
  private timer: unknown = null;
  private lastHeardAt: number;
  private closed = false;

  constructor(
    private readonly silenceMs: number,
    private readonly clock: Clock = SYSTEM_CLOCK,
  ) {
    super();
    this.lastHeardAt = clock.now();
  }

  get enabled(): boolean {
    return this.silenceMs > 0;
  }

  /** Starts counting from now (the agent's start counts as hearing from the dashboard that started it). */
  start(): void {
    this.heard();
  }

  heard(): void {
    if (!this.enabled || this.closed) return;
    this.lastHeardAt = this.clock.now();
    if (this.timer === null) this.arm(this.silenceMs);
  }

  close(): void {
    this.closed = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** One timer, re-armed for the remainder when it fires early: heard() stays a timestamp store. */
  private arm(ms: number): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      if (this.closed) return;
      const left = this.lastHeardAt + this.silenceMs - this.clock.now();
      if (left > 0) return this.arm(left);
      this.closed = true;
      this.emit('silent', { silenceMs: this.silenceMs, lastHeardAt: this.lastHeardAt });
    }, ms);
  }
}
