import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { AGENT_PROTOCOL_VERSION, AgentHealth, type ParticipantRef, type Presence } from '@boxroom/contracts';
import { Value } from 'typebox/value';
import { ControlHistory } from './control/control-history.js';
import { ControlLease } from './control/control-lease.js';
import { ExpiryWatch } from './lifecycle/expiry-watch.js';
import { RoomRuntime, type RoomParts } from './room-runtime.js';
import { FakeClock } from './testing/fake-clock.js';

const alice: ParticipantRef = { id: 'alice', name: 'Alice', role: 'participant' };
const bob: ParticipantRef = { id: 'bob', name: 'Bob', role: 'participant' };
const op: ParticipantRef = { id: 'op', name: 'Op', role: 'operator' };

class FakeSession extends EventEmitter<{ join: [ParticipantRef]; leave: [ParticipantRef] }> {
  readonly members = new Map<string, Presence>();
  readonly sent: Array<Record<string, unknown>> = [];
  participants = () => [...this.members.values()];
  broadcast = (e: Record<string, unknown>) => void this.sent.push(e);
  closeAll = vi.fn();
  join(p: ParticipantRef) {
    this.members.set(p.id, { ...p, joinedAt: 0 });
    this.emit('join', p);
  }
  leave(p: ParticipantRef) {
    this.members.delete(p.id);
    this.emit('leave', p);
  }
}

class FakeFanout extends EventEmitter<{ viewers: [number] }> {
  count = 0;
  viewerCount = () => this.count;
  set(n: number) {
    this.count = n;
    this.emit('viewers', n);
  }
}

/** The gate as the runtime sees it: who is admitted, and revoke(). */
class FakeGate {
  participantId: string | null = null;
  readonly revokes: Array<{ who: string | null; code: number; reason: string }> = [];
  revoke = (code: number, reason: string) => {
    this.revokes.push({ who: this.participantId, code, reason });
    this.participantId = null;
    return Promise.resolve();
  };
  stop = () => Promise.resolve();
}

function setup(opts: { graceMs?: number; idleMs?: number; noViewersMs?: number } = {}) {
  const clock = new FakeClock();
  const lease = new ControlLease({ idleMs: opts.idleMs ?? 0, graceMs: opts.graceMs ?? 0, clock });
  const expiry = new ExpiryWatch({
    timeouts: { maxAgeMs: 0, noViewersMs: opts.noViewersMs ?? 0, noInputMs: 0 },
    createdAt: clock.now(),
    clock,
  });
  const session = new FakeSession();
  const fanout = new FakeFanout();
  const gate = new FakeGate();
  const history = new ControlHistory();
  // what health() reads; flipped by the readiness tests, with the events that announce it
  const state = { allReady: true, publishing: true };
  const supervisor = Object.assign(new EventEmitter(), {
    allReady: () => state.allReady,
    health: () => [],
    recentEvents: () => [],
  });
  const media = Object.assign(new EventEmitter(), { isPublishing: () => state.publishing });
  const runtime = new RoomRuntime({
    roomId: 'r1',
    log: pino({ level: 'silent' }),
    supervisor,
    media,
    fanout,
    // the relays' viewers are counted by RelayUpstreams (its own tests); here the fan-out's count is all
    viewers: fanout,
    lease,
    history,
    expiry,
    session,
    gate,
  } as unknown as RoomParts);
  runtime.start();
  return { clock, lease, expiry, session, fanout, gate, history, runtime, state, supervisor, media };
}

describe('RoomRuntime wiring', () => {
  it('broadcasts and records every lease change', () => {
    const { lease, session, history } = setup();
    lease.request(alice);
    lease.request(bob);
    expect(session.sent.filter((e) => e.type === 'control').map((e) => e.reason)).toEqual([
      'request',
      'request',
    ]);
    expect(history.since().map((c) => c.seq)).toEqual([1, 2]);
  });

  it('a take revokes the old holder`s input with 4409; a queue change does not', () => {
    const { lease, gate } = setup();
    lease.request(alice);
    gate.participantId = 'alice';
    lease.request(bob);
    expect(gate.revokes).toEqual([]);
    lease.take(op);
    expect(gate.revokes).toEqual([
      { who: 'alice', code: 4409, reason: 'control passed to another participant' },
    ]);
  });

  it('a release to nobody revokes with "control released"', () => {
    const { lease, gate } = setup();
    lease.request(alice);
    gate.participantId = 'alice';
    lease.release(alice);
    expect(gate.revokes).toEqual([{ who: 'alice', code: 4409, reason: 'control released' }]);
  });

  it('race: the holder leaves the session with a queue; after the grace the next holds and the old input goes', () => {
    const { lease, gate, session, clock } = setup({ graceMs: 2_000 });
    session.join(alice);
    session.join(bob);
    lease.request(alice);
    lease.request(bob);
    gate.participantId = 'alice';
    session.leave(alice);
    clock.advance(1_999);
    expect(gate.revokes).toEqual([]);
    clock.advance(1);
    expect(lease.holderId()).toBe('bob');
    expect(gate.revokes.map((r) => [r.who, r.code])).toEqual([['alice', 4409]]);
  });

  it('race: the holder reconnects within the grace and keeps control and input', () => {
    const { lease, gate, session, clock } = setup({ graceMs: 2_000 });
    session.join(alice);
    lease.request(alice);
    lease.request(bob);
    gate.participantId = 'alice';
    session.leave(alice);
    clock.advance(1_000);
    session.join(alice);
    clock.advance(10_000);
    expect(lease.holderId()).toBe('alice');
    expect(gate.revokes).toEqual([]);
  });

  it('race: two changes in one tick revoke once (the second finds the gate already closed)', () => {
    const { lease, gate } = setup();
    lease.request(alice);
    gate.participantId = 'alice';
    lease.take(op);
    lease.give(op, bob);
    expect(gate.revokes).toHaveLength(1);
  });

  it('feeds the expiry clocks with session members and stream viewers, and announces each stage', () => {
    const { session, fanout, clock, runtime } = setup({ noViewersMs: 10_000 });
    clock.advance(5_000);
    const warnings = () => session.sent.filter((e) => e.type === 'warning');
    expect(warnings()).toMatchObject([{ reason: 'no-viewers', stage: 'warning', at: 11_000 }]);
    fanout.set(1);
    expect(warnings().at(-1)).toMatchObject({ stage: 'cleared' });
    fanout.set(0);
    session.join(alice);
    clock.advance(60_000);
    expect(warnings()).toHaveLength(2);
    session.leave(alice);
    clock.advance(10_000);
    expect(warnings().at(-1)).toMatchObject({ reason: 'no-viewers', stage: 'expired' });
    expect(runtime.health().expired).toMatchObject({ reason: 'no-viewers' });
  });
});

describe('RoomRuntime readiness (GET /healthz?wait=)', () => {
  it('health reports the protocol version and matches its contract', () => {
    const h = setup().runtime.health();
    expect(h.protocol).toBe(AGENT_PROTOCOL_VERSION);
    expect(Value.Check(AgentHealth, h)).toBe(true);
  });

  it('whenOk resolves at once when ok, else on the event that makes it ok', async () => {
    const { runtime, state, supervisor, media } = setup();
    await runtime.whenOk(60_000);
    state.allReady = false;
    state.publishing = false;
    let done = false;
    const waiting = runtime.whenOk(60_000).then(() => (done = true));
    state.allReady = true;
    supervisor.emit('status', { name: 'wm', status: 'ready' });
    await Promise.resolve();
    expect(done).toBe(false); // not publishing yet
    state.publishing = true;
    media.emit('publish');
    await waiting;
    expect(runtime.health().status).toBe('ok');
    expect(supervisor.listenerCount('status')).toBe(1); // the runtime's own broadcast listener only
    expect(media.listenerCount('publish')).toBe(0);
  });

  it('whenOk gives up after its timeout or when aborted, and lets go of its listeners', async () => {
    vi.useFakeTimers();
    try {
      const { runtime, state, supervisor, media } = setup();
      state.allReady = false;
      const timedOut = runtime.whenOk(1_000);
      vi.advanceTimersByTime(1_000);
      await timedOut;
      const gone = new AbortController();
      const aborted = runtime.whenOk(60_000, gone.signal);
      gone.abort();
      await aborted;
      expect(runtime.health().status).toBe('starting');
      expect(supervisor.listenerCount('status')).toBe(1);
      expect(media.listenerCount('publish')).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
