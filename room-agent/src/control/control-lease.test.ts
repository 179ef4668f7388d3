import { describe, expect, it } from 'vitest';
import type { ParticipantRef, Role } from '@boxroom/contracts';
import { ControlError, ControlLease, type LeaseChange, type LeaseClock } from './control-lease.js';

class FakeClock implements LeaseClock {
  t = 1_000;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private next = 1;
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.next++;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  };
  clearTimeout = (h: unknown) => void this.timers.delete(h as number);
  advance(ms: number) {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers.entries()]
        .filter(([, v]) => v.at <= end)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
    }
    this.t = end;
  }
  pending() {
    return this.timers.size;
  }
}

const p = (id: string, role: Role = 'participant'): ParticipantRef => ({ id, name: id.toUpperCase(), role });
const alice = p('alice');
const bob = p('bob');
const carol = p('carol');
const owner = p('owner', 'owner');
const op = p('op', 'operator');
const viewer = p('viewer', 'viewer');

function setup(opts: { idleMs?: number; graceMs?: number } = {}) {
  const clock = new FakeClock();
  const lease = new ControlLease({ idleMs: opts.idleMs ?? 0, graceMs: opts.graceMs ?? 0, clock });
  const changes: LeaseChange[] = [];
  lease.on('change', (c) => changes.push(c));
  return { clock, lease, changes };
}

const holder = (l: ControlLease) => l.state().holder?.id ?? null;
const queue = (l: ControlLease) => l.state().queue.map((q) => q.id);

describe('ControlLease', () => {
  it('grants a request when free and queues later ones in FIFO order', () => {
    const { lease, changes } = setup();
    lease.request(alice);
    lease.request(bob);
    lease.request(carol);
    expect(holder(lease)).toBe('alice');
    expect(queue(lease)).toEqual(['bob', 'carol']);
    expect(changes.map((c) => [c.reason, c.holderChanged])).toEqual([
      ['request', true],
      ['request', false],
      ['request', false],
    ]);
    expect(changes.map((c) => c.state.seq)).toEqual([1, 2, 3]);
  });

  it('orders two requests in the same tick by arrival', () => {
    const { lease } = setup();
    lease.request(bob);
    lease.request(alice);
    expect(holder(lease)).toBe('bob');
    expect(queue(lease)).toEqual(['alice']);
  });

  it('ignores a repeated request without a new event', () => {
    const { lease, changes } = setup();
    lease.request(alice);
    lease.request(bob);
    lease.request(alice);
    lease.request(bob);
    expect(changes).toHaveLength(2);
    expect(queue(lease)).toEqual(['bob']);
  });

  it('refuses requests from viewers', () => {
    const { lease } = setup();
    expect(() => lease.request(viewer)).toThrow(ControlError);
    expect(holder(lease)).toBeNull();
  });

  it('passes control to the next in queue on release', () => {
    const { lease, changes } = setup();
    lease.request(alice);
    lease.request(bob);
    lease.release(alice);
    expect(holder(lease)).toBe('bob');
    expect(queue(lease)).toEqual([]);
    const last = changes.at(-1)!;
    expect(last).toMatchObject({ reason: 'release', by: 'alice', holderChanged: true });
    expect(last.previousHolder?.id).toBe('alice');
  });

  it('release by a queued participant leaves the queue; by a stranger is a no-op', () => {
    const { lease, changes } = setup();
    lease.request(alice);
    lease.request(bob);
    lease.release(bob);
    expect(queue(lease)).toEqual([]);
    const n = changes.length;
    lease.release(carol);
    expect(changes).toHaveLength(n);
  });

  it('frees the lease when the holder releases and nobody waits', () => {
    const { lease } = setup();
    lease.request(alice);
    lease.release(alice);
    expect(holder(lease)).toBeNull();
  });

  it('lets owners and operators take control, not participants', () => {
    const { lease } = setup();
    lease.request(alice);
    expect(() => lease.take(bob)).toThrow(/owner or an operator/);
    lease.take(owner);
    expect(holder(lease)).toBe('owner');
    lease.take(op);
    expect(holder(lease)).toBe('op');
  });

  it('treats a release arriving after a take as a no-op', () => {
    const { lease, changes } = setup();
    lease.request(alice);
    lease.take(op);
    const n = changes.length;
    lease.release(alice);
    expect(holder(lease)).toBe('op');
    expect(changes).toHaveLength(n);
  });

  it('take removes the taker from the queue', () => {
    const { lease } = setup();
    lease.request(alice);
    lease.request(owner);
    lease.take(owner);
    expect(holder(lease)).toBe('owner');
    expect(queue(lease)).toEqual([]);
  });

  it('lets the holder give control to a named participant, and moderators give any time', () => {
    const { lease, changes } = setup();
    lease.request(alice);
    lease.request(carol);
    lease.give(alice, bob);
    expect(holder(lease)).toBe('bob');
    expect(changes.at(-1)).toMatchObject({ reason: 'give', by: 'alice' });
    expect(() => lease.give(carol, alice)).toThrow(/holder, the owner or an operator/);
    lease.give(owner, carol);
    expect(holder(lease)).toBe('carol');
    expect(queue(lease)).toEqual([]);
    expect(() => lease.give(owner, viewer)).toThrow(/viewer cannot hold/);
  });

  it('reset clears holder and queue; only moderators may reset', () => {
    const { lease } = setup();
    lease.request(alice);
    lease.request(bob);
    expect(() => lease.reset(alice)).toThrow(ControlError);
    lease.reset(op);
    expect(lease.state()).toMatchObject({ holder: null, queue: [] });
  });

  it('locked mode lets only owners and operators hold control', () => {
    const { lease } = setup();
    lease.request(alice);
    lease.request(bob);
    lease.request(owner);
    lease.setLocked(op, true);
    expect(holder(lease)).toBe('owner');
    expect(queue(lease)).toEqual([]);
    expect(() => lease.request(bob)).toThrow(/locked/);
    lease.setLocked(op, false);
    lease.request(bob);
    expect(queue(lease)).toEqual(['bob']);
  });

  it('a holder who disconnects keeps control for the grace period, then the queue moves on', () => {
    const { lease, clock, changes } = setup({ graceMs: 5_000 });
    lease.request(alice);
    lease.request(bob);
    lease.disconnected('alice');
    clock.advance(4_999);
    expect(holder(lease)).toBe('alice');
    clock.advance(1);
    expect(holder(lease)).toBe('bob');
    expect(changes.at(-1)).toMatchObject({ reason: 'disconnect', by: null });
  });

  it('a reconnect within the grace period keeps control', () => {
    const { lease, clock } = setup({ graceMs: 5_000 });
    lease.request(alice);
    lease.request(bob);
    lease.disconnected('alice');
    clock.advance(2_000);
    lease.connected('alice');
    clock.advance(10_000);
    expect(holder(lease)).toBe('alice');
  });

  it('a queued participant who disconnects loses their place after the grace period', () => {
    const { lease, clock } = setup({ graceMs: 1_000 });
    lease.request(alice);
    lease.request(bob);
    lease.request(carol);
    lease.disconnected('bob');
    clock.advance(1_000);
    expect(queue(lease)).toEqual(['carol']);
    lease.release(alice);
    expect(holder(lease)).toBe('carol');
  });

  it('releases after the idle time without input and re-arms on input without a timer per event', () => {
    const { lease, clock, changes } = setup({ idleMs: 10_000 });
    lease.request(alice);
    lease.request(bob);
    clock.advance(6_000);
    lease.touch();
    clock.advance(6_000);
    expect(holder(lease)).toBe('alice');
    expect(clock.pending()).toBe(1);
    clock.advance(4_000);
    expect(holder(lease)).toBe('bob');
    expect(changes.at(-1)).toMatchObject({ reason: 'idle', by: null, holderChanged: true });
    clock.advance(10_000);
    expect(holder(lease)).toBeNull();
    expect(clock.pending()).toBe(0);
  });

  it('close cancels every timer', () => {
    const { lease, clock } = setup({ idleMs: 1_000, graceMs: 1_000 });
    lease.request(alice);
    lease.request(bob);
    lease.disconnected('bob');
    lease.close();
    expect(clock.pending()).toBe(0);
  });
});
