import { EventEmitter } from 'node:events';
import {
  canHoldControl,
  isModerator,
  type ControlChangeReason,
  type ControlState,
  type ParticipantRef,
} from '@boxroom/contracts';
import { SYSTEM_CLOCK, type Clock } from '../clock.js';

export const DEFAULT_MAX_QUEUE = 100;

export class ControlError extends Error {
  override name = 'ControlError';
  constructor(
    readonly code: 'forbidden' | 'not_found' | 'conflict',
    message: string,
  ) {
    super(message);
  }
}

export interface LeaseChange {
  state: ControlState;
  reason: ControlChangeReason;
  /** participant id of whoever caused the change; null for timers */
  by: string | null;
  /** holder before the change, when the holder changed */
  previousHolder: ParticipantRef | null;
  holderChanged: boolean;
}

export interface LeaseEvents {
  change: [LeaseChange];
}

/** Timers and clock, injectable so tests can drive time. */
export type LeaseClock = Clock;
export { SYSTEM_CLOCK };

export interface LeaseOptions {
  /** release control after this long without input; 0 disables */
  idleMs: number;
  /** a disconnected holder keeps control this long, for reconnects */
  graceMs: number;
  /** people waiting for control at most; one more request is refused (conflict); default 100 */
  maxQueue?: number;
  clock?: LeaseClock;
}

/**
 * The control lease of one room: who may send input. One explicit state machine; every change
 * increments `seq` and is emitted once. Actions are synchronous, so two requests in the same tick
 * are ordered by arrival: the first is granted, the second queued.
 */
export class ControlLease extends EventEmitter<LeaseEvents> {
  private holder: ParticipantRef | null = null;
  private queue: ParticipantRef[] = [];
  private locked = false;
  private seq = 0;
  private lastInputAt = 0;
  private idleTimer: unknown = null;
  private readonly graceTimers = new Map<string, unknown>();
  private readonly clock: LeaseClock;

  constructor(private readonly opts: LeaseOptions) {
    super();
    this.clock = opts.clock ?? SYSTEM_CLOCK;
  }

  state(): ControlState {
    return { seq: this.seq, holder: this.holder, queue: [...this.queue], locked: this.locked };
  }

  holderId(): string | null {
    return this.holder?.id ?? null;
  }

  request(actor: ParticipantRef): ControlState {
    this.assertMayHold(actor);
    if (this.holder?.id === actor.id || this.queue.some((p) => p.id === actor.id)) return this.state();
    if (!this.holder) {
      this.setHolder(actor, 'request', actor.id);
    } else {
      const max = this.opts.maxQueue ?? DEFAULT_MAX_QUEUE;
      if (this.queue.length >= max)
        throw new ControlError('conflict', `the control queue is full (${max} waiting); try again later`);
      this.queue.push(actor);
      this.changed('request', actor.id, this.holder);
    }
    return this.state();
  }

  release(actor: ParticipantRef): ControlState {
    if (this.holder?.id === actor.id) {
      this.passToNext('release', actor.id);
    } else if (this.removeFromQueue(actor.id)) {
      this.changed('release', actor.id, this.holder);
    }
    // A release from someone who holds nothing (e.g. after a take) is a no-op, not an error.
    return this.state();
  }

  take(actor: ParticipantRef): ControlState {
    if (!isModerator(actor.role))
      throw new ControlError('forbidden', 'only the owner or an operator can take control');
    if (this.holder?.id === actor.id) return this.state();
    this.removeFromQueue(actor.id);
    this.setHolder(actor, 'take', actor.id);
    return this.state();
  }

  /**
   * The holder hands control on: to `target`, or with null to the first in the queue. Owners and
   * operators can give at any time, whoever holds it.
   */
  give(actor: ParticipantRef, target: ParticipantRef | null): ControlState {
    const actorIsHolder = this.holder?.id === actor.id;
    if (!actorIsHolder && !isModerator(actor.role)) {
      throw new ControlError('forbidden', 'only the holder, the owner or an operator can give control');
    }
    const to = target ?? this.queue[0] ?? null;
    if (!to) throw new ControlError('conflict', 'nobody is waiting for control');
    this.assertMayHold(to);
    if (this.holder?.id === to.id) return this.state();
    this.removeFromQueue(to.id);
    this.setHolder(to, 'give', actor.id);
    return this.state();
  }

  reset(actor: ParticipantRef): ControlState {
    if (!isModerator(actor.role))
      throw new ControlError('forbidden', 'only the owner or an operator can reset control');
    const prev = this.holder;
    this.queue = [];
    this.holder = null;
    this.stopIdleTimer();
    this.changed('reset', actor.id, prev);
    return this.state();
  }

  setLocked(actor: ParticipantRef, locked: boolean): ControlState {
    if (!isModerator(actor.role))
      throw new ControlError('forbidden', 'only the owner or an operator can lock control');
    if (this.locked === locked) return this.state();
    this.locked = locked;
    const prev = this.holder;
    this.queue = this.queue.filter((p) => this.mayHold(p));
    if (this.holder && !this.mayHold(this.holder)) {
      this.passToNext('lock', actor.id);
    } else {
      this.changed('lock', actor.id, prev);
    }
    return this.state();
  }

  /** Called on every input event of the holder: cheap, no allocation. */
  touch(): void {
    this.lastInputAt = this.clock.now();
  }

  /** A participant's last connection closed: after the grace period they lose control and their place. */
  disconnected(participantId: string): void {
    if (this.holder?.id !== participantId && !this.queue.some((p) => p.id === participantId)) return;
    this.cancelGrace(participantId);
    const expire = () => {
      this.graceTimers.delete(participantId);
      if (this.holder?.id === participantId) this.passToNext('disconnect', null);
      else if (this.removeFromQueue(participantId)) this.changed('disconnect', null, this.holder);
    };
    if (this.opts.graceMs <= 0) expire();
    else this.graceTimers.set(participantId, this.clock.setTimeout(expire, this.opts.graceMs));
  }

  /** A participant was removed from the room (kicked): they lose control and their place now, no grace. */
  remove(participantId: string): void {
    this.cancelGrace(participantId);
    if (this.holder?.id === participantId) this.passToNext('disconnect', null);
    else if (this.removeFromQueue(participantId)) this.changed('disconnect', null, this.holder);
  }

  /** A participant (re)connected: cancels their pending disconnect. */
  connected(participantId: string): void {
    this.cancelGrace(participantId);
  }

  close(): void {
    this.stopIdleTimer();
    for (const id of [...this.graceTimers.keys()]) this.cancelGrace(id);
  }

  private mayHold(p: ParticipantRef): boolean {
    return canHoldControl(p.role) && (!this.locked || isModerator(p.role));
  }

  private assertMayHold(p: ParticipantRef): void {
    if (!canHoldControl(p.role)) throw new ControlError('forbidden', `a ${p.role} cannot hold control`);
    if (this.locked && !isModerator(p.role)) {
      throw new ControlError('forbidden', 'control is locked to the owner and operators');
    }
  }

  private removeFromQueue(id: string): boolean {
    const i = this.queue.findIndex((p) => p.id === id);
    if (i === -1) return false;
    this.queue.splice(i, 1);
    return true;
  }

  private passToNext(reason: ControlChangeReason, by: string | null): void {
    const next = this.queue.shift() ?? null;
    if (next) this.setHolder(next, reason, by);
    else {
      const prev = this.holder;
      this.holder = null;
      this.stopIdleTimer();
      this.changed(reason, by, prev);
    }
  }

  private setHolder(next: ParticipantRef, reason: ControlChangeReason, by: string | null): void {
    const prev = this.holder;
    this.holder = next;
    // A pending disconnect grace of the new holder keeps running: someone who left while queued
    // must not get control for good because the queue reached them before their grace ended.
    this.lastInputAt = this.clock.now();
    this.armIdleTimer(this.opts.idleMs);
    this.changed(reason, by, prev);
  }

  private changed(
    reason: ControlChangeReason,
    by: string | null,
    previousHolder: ParticipantRef | null,
  ): void {
    this.seq += 1;
    const holderChanged = previousHolder?.id !== this.holder?.id;
    this.emit('change', { state: this.state(), reason, by, previousHolder, holderChanged });
  }

  // The idle timer is not re-armed on every input event (the input path is hot): it fires at the
  // earliest possible expiry and re-arms itself for the remainder if input arrived meanwhile.
  private armIdleTimer(ms: number): void {
    this.stopIdleTimer();
    if (this.opts.idleMs <= 0 || !this.holder) return;
    this.idleTimer = this.clock.setTimeout(() => this.onIdleTimer(), ms);
  }

  private onIdleTimer(): void {
    this.idleTimer = null;
    if (!this.holder) return;
    const idleFor = this.clock.now() - this.lastInputAt;
    if (idleFor >= this.opts.idleMs) this.passToNext('idle', null);
    else this.armIdleTimer(this.opts.idleMs - idleFor);
  }

  private stopIdleTimer(): void {
    if (this.idleTimer !== null) this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private cancelGrace(id: string): void {
    const t = this.graceTimers.get(id);
    if (t !== undefined) {
      this.clock.clearTimeout(t);
      this.graceTimers.delete(id);
    }
  }
}
