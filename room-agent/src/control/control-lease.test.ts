import { describe, expect, it } from 'vitest';
import type { ParticipantRef, Role } from '@boxroom/contracts';
import { FakeClock } from '../testing/fake-clock.js';
import { ControlError, ControlLease, type LeaseChange } from './control-lease.js';

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

  it('the holder passes control to the first in queue with give(null); nobody waiting is a conflict', () => {
    const { lease, changes } = setup();
    lease.request(alice);
    lease.request(bob);
    lease.request(carol);
    lease.give(alice, null);
    expect(holder(lease)).toBe('bob');
    expect(queue(lease)).toEqual(['carol']);
    expect(changes.at(-1)).toMatchObject({ reason: 'give', by: 'alice', holderChanged: true });
    expect(() => lease.give(carol, null)).toThrow(/holder, the owner or an operator/);
    lease.give(owner, null);
    expect(holder(lease)).toBe('carol');
    expect(() => lease.give(carol, null)).toThrow(expect.objectContaining({ code: 'conflict' }));
  });

  it('giving to a queued participant takes them out of the queue; giving to the holder is a no-op', () => {
    const { lease, changes } = setup();
    lease.request(alice);
    lease.request(bob);
    lease.request(carol);
    lease.give(alice, carol);
    expect(holder(lease)).toBe('carol');
    expect(queue(lease)).toEqual(['bob']);
    const n = changes.length;
    lease.give(carol, carol);
    expect(changes).toHaveLength(n);
  });

  it('every change is emitted once with seq increasing by exactly one', () => {
    const { lease, changes, clock } = setup({ idleMs: 1_000, graceMs: 100 });
    lease.request(alice);
    lease.request(bob);
    lease.request(carol);
    lease.release(carol);
    lease.give(alice, null);
    lease.take(owner);
    lease.setLocked(op, true);
    lease.setLocked(op, false);
    lease.request(alice);
    lease.disconnected('alice');
    clock.advance(100);
    clock.advance(1_000);
    lease.reset(op);
    const seqs = changes.map((c) => c.state.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(lease.state().seq).toBe(changes.length);
  });

  it('state() is a snapshot: changing it does not change the lease', () => {
    const { lease } = setup();
    lease.request(alice);
    lease.request(bob);
    lease.state().queue.pop();
    expect(queue(lease)).toEqual(['bob']);
  });

  it('race: two requests in the same tick after a release; the first arrival wins', () => {
    const { lease } = setup();
    lease.request(alice);
    lease.release(alice);
    lease.request(carol);
    lease.request(bob);
    expect(holder(lease)).toBe('carol');
    expect(queue(lease)).toEqual(['bob']);
  });

  it('race: a release arriving after a give or a reset is a no-op', () => {
    const { lease, changes } = setup();
    lease.request(alice);
    lease.give(owner, bob);
    let n = changes.length;
    lease.release(alice);
    expect(changes).toHaveLength(n);
    expect(holder(lease)).toBe('bob');
    lease.reset(owner);
    n = changes.length;
    lease.release(bob);
    expect(changes).toHaveLength(n);
  });

  it('race: a holder taken over during their disconnect grace; the grace ending changes nothing', () => {
    const { lease, clock, changes } = setup({ graceMs: 1_000 });
    lease.request(alice);
    lease.disconnected('alice');
    lease.take(op);
    const n = changes.length;
    clock.advance(1_000);
    expect(holder(lease)).toBe('op');
    expect(changes).toHaveLength(n);
  });

  it('race: someone who left while queued and is reached during their grace loses control when it ends', () => {
    const { lease, clock, changes } = setup({ graceMs: 1_000 });
    lease.request(alice);
    lease.request(bob);
    lease.request(carol);
    lease.disconnected('bob');
    clock.advance(500);
    lease.release(alice);
    expect(holder(lease)).toBe('bob');
    clock.advance(500);
    expect(holder(lease)).toBe('carol');
    expect(changes.at(-1)).toMatchObject({ reason: 'disconnect', by: null });
    expect(changes.at(-1)?.previousHolder?.id).toBe('bob');
  });

  it('race: a disconnected holder whose queue empties meanwhile frees the lease after the grace', () => {
    const { lease, clock } = setup({ graceMs: 1_000 });
    lease.request(alice);
    lease.request(bob);
    lease.disconnected('alice');
    lease.release(bob);
    clock.advance(1_000);
    expect(lease.state()).toMatchObject({ holder: null, queue: [] });
  });

  it('a reconnect within the grace keeps a queued participant`s place', () => {
    const { lease, clock } = setup({ graceMs: 1_000 });
    lease.request(alice);
    lease.request(bob);
    lease.request(carol);
    lease.disconnected('bob');
    clock.advance(999);
    lease.connected('bob');
    clock.advance(5_000);
    expect(queue(lease)).toEqual(['bob', 'carol']);
  });

  it('a disconnect of someone who holds nothing is ignored, and a grace of 0 acts at once', () => {
    const { lease, clock, changes } = setup({ graceMs: 0 });
    lease.disconnected('nobody');
    expect(changes).toHaveLength(0);
    expect(clock.pending()).toBe(0);
    lease.request(alice);
    lease.request(bob);
    lease.disconnected('alice');
    expect(holder(lease)).toBe('bob');
  });

  it('the idle clock restarts for each new holder, and idle 0 never releases', () => {
    const { lease, clock } = setup({ idleMs: 1_000 });
    lease.request(alice);
    lease.request(bob);
    clock.advance(900);
    lease.release(alice);
    clock.advance(900);
    expect(holder(lease)).toBe('bob');
    clock.advance(100);
    expect(holder(lease)).toBeNull();

    const off = setup({ idleMs: 0 });
    off.lease.request(alice);
    off.clock.advance(86_400_000);
    expect(holder(off.lease)).toBe('alice');
    expect(off.clock.pending()).toBe(0);
  });

  it('reset and a release to nobody stop the idle timer', () => {
    const { lease, clock } = setup({ idleMs: 1_000 });
    lease.request(alice);
    lease.reset(op);
    expect(clock.pending()).toBe(0);
    lease.request(alice);
    lease.release(alice);
    expect(clock.pending()).toBe(0);
  });

  it('lock keeps a moderator holder, drops participants from the queue, and is moderators-only', () => {
    const { lease, changes } = setup();
    lease.take(owner);
    lease.request(alice);
    expect(() => lease.setLocked(alice, true)).toThrow(/owner or an operator/);
    lease.setLocked(op, true);
    expect(holder(lease)).toBe('owner');
    expect(queue(lease)).toEqual([]);
    expect(changes.at(-1)).toMatchObject({ reason: 'lock', holderChanged: false, state: { locked: true } });
    const n = changes.length;
    lease.setLocked(op, true);
    expect(changes).toHaveLength(n);
    expect(() => lease.give(owner, alice)).toThrow(/locked/);
    lease.request(op);
    expect(queue(lease)).toEqual(['op']);
  });

  it('locking with a participant in control and no moderator waiting frees the lease', () => {
    const { lease, changes } = setup();
    lease.request(alice);
    lease.request(bob);
    lease.setLocked(owner, true);
    expect(lease.state()).toMatchObject({ holder: null, queue: [], locked: true });
    expect(changes.at(-1)).toMatchObject({ reason: 'lock', holderChanged: true });
    expect(changes.at(-1)?.previousHolder?.id).toBe('alice');
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

describe('the control queue is bounded', () => {
  it('a request beyond maxQueue waiting is refused (409 conflict), others go on', () => {
    const lease = new ControlLease({ idleMs: 0, graceMs: 0, clock: new FakeClock(), maxQueue: 2 });
    lease.request(alice);
    lease.request(bob);
    lease.request(carol);
    expect(() => lease.request(p('dave'))).toThrow(
      new ControlError('conflict', 'the control queue is full (2 waiting); try again later'),
    );
    expect(queue(lease)).toEqual(['bob', 'carol']);
    // asking again while queued is still fine, and a freed place is taken
    expect(queue(lease.request(bob) && lease)).toEqual(['bob', 'carol']);
    lease.release(carol);
    lease.request(p('dave'));
    expect(queue(lease)).toEqual(['bob', 'dave']);
  });
});
