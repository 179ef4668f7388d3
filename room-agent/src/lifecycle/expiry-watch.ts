import { EventEmitter } from 'node:events';
import { warningLeadMs, type ExpiryReason, type RoomExpiry } from '@boxroom/contracts';
import { MAX_TIMER_MS, SYSTEM_CLOCK, type Clock } from '../clock.js';

export interface ExpiryTimeouts {
  /** 0: off */
  readonly maxAgeMs: number;
  readonly noViewersMs: number;
  readonly noInputMs: number;
}

export interface ExpiryWatchOptions {
  timeouts: ExpiryTimeouts;
  /** ms since epoch the room was created: its age counts from there, not from this process */
  createdAt: number;
  clock?: Clock;
}

export interface ExpiryNotice {
  reason: ExpiryReason;
  /** ms since epoch the room ends (ended) */
  at: number;
  /** on `cleared`: the room's timeouts changed (it was extended), not its activity */
  extended?: boolean;
}

export interface ExpiryWatchEvents {
  /** the room ends at `at` unless activity resumes (for max-age: it ends, full stop) */
  warning: [ExpiryNotice];
  /** activity resumed (or the timeouts changed) after a warning: that end no longer stands */
  cleared: [ExpiryNotice];
  /** once: the room's time is up */
  expired: [RoomExpiry];
}

const REASONS: readonly ExpiryReason[] = ['max-age', 'no-viewers', 'no-input'];

/**
 * The room's lifecycle clocks: absolute age, time without viewers, time without input. Fed by
 * events (viewer count changes, input), never by polling; one timer at the next moment something
 * can happen (a warning or an end). Input is on the hot path, so `inputSeen` only stores a
 * timestamp, and the timer re-computes when it fires, as the control lease's idle timer does.
 */
export class ExpiryWatch extends EventEmitter<ExpiryWatchEvents> {
  private readonly clock: Clock;
  private timeouts: ExpiryTimeouts;
  private readonly createdAt: number;
  private viewers = 0;
  private noViewersSince: number;
  private lastInputAt: number;
  private readonly warned = new Set<ExpiryReason>();
  private ended: RoomExpiry | null = null;
  private timer: unknown = null;
  private started = false;

  constructor(opts: ExpiryWatchOptions) {
    super();
    this.clock = opts.clock ?? SYSTEM_CLOCK;
    this.timeouts = opts.timeouts;
    this.createdAt = opts.createdAt;
    const now = this.clock.now();
    // Nobody has watched or typed yet: both clocks run from the start of this process.
    this.noViewersSince = now;
    this.lastInputAt = now;
  }

  /** Arms the clocks; separate from the constructor so listeners are attached first. */
  start(): void {
    this.started = true;
    this.evaluate();
  }

  /** The number of people watching changed (session members and stream viewers). */
  setViewers(n: number): void {
    if (n > 0 === this.viewers > 0) {
      this.viewers = n;
      return;
    }
    this.viewers = n;
    if (n === 0) this.noViewersSince = this.clock.now();
    if (this.started) this.evaluate();
  }

  /** Called for every input event: a timestamp store, plus a re-check only when a warning is out. */
  inputSeen(): void {
    this.lastInputAt = this.clock.now();
    if (this.warned.has('no-input') && this.started) this.evaluate();
  }

  /**
   * The room's timeouts from now on (the dashboard extended it): each warning already announced for
   * an end that moves is taken back (`cleared`, `extended`), and announced again with its new time
   * when that is still within the warning lead. Max age still counts from the room's creation.
   */
  setTimeouts(timeouts: ExpiryTimeouts): void {
    if (this.ended) return;
    const before = new Map(this.pending().map((n) => [n.reason, n.at]));
    this.timeouts = { ...timeouts };
    for (const [reason, at] of before) {
      if (this.deadline(reason) === at) continue;
      this.warned.delete(reason);
      this.emit('cleared', { reason, at: this.deadline(reason) ?? at, extended: true });
    }
    if (this.started) this.evaluate();
  }

  /** Warnings announced and still standing, with when each ends the room. */
  pending(): ExpiryNotice[] {
    return [...this.warned].flatMap((reason) => {
      const at = this.deadline(reason);
      return at === null ? [] : [{ reason, at }];
    });
  }

  expired(): RoomExpiry | null {
    return this.ended;
  }

  close(): void {
    this.started = false;
    this.stopTimer();
  }

  /** When the room ends for `reason` as things stand, or null when that clock is not running. */
  private deadline(reason: ExpiryReason): number | null {
    switch (reason) {
      case 'max-age':
        return this.timeouts.maxAgeMs > 0 ? this.createdAt + this.timeouts.maxAgeMs : null;
      case 'no-viewers':
        return this.timeouts.noViewersMs > 0 && this.viewers === 0
          ? this.noViewersSince + this.timeouts.noViewersMs
          : null;
      case 'no-input':
        return this.timeouts.noInputMs > 0 ? this.lastInputAt + this.timeouts.noInputMs : null;
    }
  }

  private timeoutMs(reason: ExpiryReason): number {
    if (reason === 'max-age') return this.timeouts.maxAgeMs;
    return reason === 'no-viewers' ? this.timeouts.noViewersMs : this.timeouts.noInputMs;
  }

  private evaluate(): void {
    this.stopTimer();
    if (this.ended) return;
    const now = this.clock.now();
    // The earliest due reason wins, so the reported reason is the one that really ran out first.
    let due: ExpiryNotice | null = null;
    let next = Infinity;
    for (const reason of REASONS) {
      const at = this.deadline(reason);
      if (at === null) {
        if (this.warned.delete(reason)) this.emit('cleared', { reason, at: now });
        continue;
      }
      if (at <= now) {
        if (!due || at < due.at) due = { reason, at };
        continue;
      }
      const warnAt = at - warningLeadMs(this.timeoutMs(reason));
      if (now >= warnAt) {
        if (!this.warned.has(reason)) {
          this.warned.add(reason);
          this.emit('warning', { reason, at });
        }
        next = Math.min(next, at);
      } else {
        if (this.warned.delete(reason)) this.emit('cleared', { reason, at });
        next = Math.min(next, warnAt);
      }
    }
    if (due) {
      this.ended = { reason: due.reason, at: now };
      this.warned.clear();
      this.emit('expired', this.ended);
      return;
    }
    if (next !== Infinity) {
      this.timer = this.clock.setTimeout(() => this.onTimer(), Math.min(next - now, MAX_TIMER_MS));
    }
  }

  private onTimer(): void {
    this.timer = null;
    if (this.started) this.evaluate();
  }

  private stopTimer(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
