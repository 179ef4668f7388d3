import { describe, expect, it } from 'vitest';
import type { ControlState, ParticipantRef, SessionEvent } from '@boxroom/contracts';
import { INITIAL_SESSION, holderLabel, reduceSession, type SessionState } from './session-state.js';

const alice: ParticipantRef = { id: 'a', name: 'alice', role: 'participant' };
const bob: ParticipantRef = { id: 'b', name: 'bob', role: 'participant' };
const control = (seq: number, holder: ParticipantRef | null, queue: ParticipantRef[] = []): ControlState => ({
  seq,
  holder,
  queue,
  locked: false,
});

const ev = (s: SessionState, event: SessionEvent, nowMs = 0) =>
  reduceSession(s, { type: 'event', event, nowMs });

const hello = (): SessionState =>
  ev(reduceSession(INITIAL_SESSION, { type: 'connecting' }), {
    type: 'hello',
    seq: 5,
    you: alice,
    participants: [{ ...alice, joinedAt: 1 }],
    control: control(2, null),
    room: { id: 'r', width: 1280, height: 720, fps: 30 },
  });

describe('reduceSession', () => {
  it("clipboard events are one participant's, carry the current seq and change nothing", () => {
    const s = hello();
    for (const e of [
      { type: 'clipboard', seq: 5, text: 'x' },
      { type: 'clipboard/pasted', seq: 5, bytes: 1 },
      { type: 'clipboard/refused', seq: 5, direction: 'in', reason: 'policy', message: 'off' },
    ] as SessionEvent[])
      expect(ev(s, e)).toBe(s);
  });

  it('hello opens the session with the full state', () => {
    const s = hello();
    expect(s.phase).toBe('open');
    expect(s.seq).toBe(5);
    expect(s.you).toEqual(alice);
    expect(s.room?.width).toBe(1280);
  });

  it('applies presence and control in order', () => {
    let s = hello();
    s = ev(s, { type: 'presence/join', seq: 6, participant: { ...bob, joinedAt: 2 } });
    s = ev(s, { type: 'control', seq: 7, control: control(3, bob), reason: 'request', by: 'b' });
    expect(s.participants.map((p) => p.name)).toEqual(['alice', 'bob']);
    expect(holderLabel(s)).toBe('bob');
    s = ev(s, { type: 'control', seq: 8, control: control(4, alice), reason: 'give', by: 'b' });
    expect(holderLabel(s)).toBe('you');
    s = ev(s, { type: 'presence/leave', seq: 9, participantId: 'b' });
    expect(s.participants.map((p) => p.name)).toEqual(['alice']);
    expect(s.stale).toBe(false);
  });

  it('ignores duplicates and events before hello', () => {
    const before = ev(INITIAL_SESSION, { type: 'presence/leave', seq: 1, participantId: 'a' });
    expect(before).toBe(INITIAL_SESSION);
    const s = hello();
    expect(ev(s, { type: 'presence/leave', seq: 5, participantId: 'a' })).toBe(s);
  });

  it('marks a sequence gap as stale (the client then reconnects for a fresh hello)', () => {
    const s = ev(hello(), { type: 'presence/leave', seq: 8, participantId: 'a' });
    expect(s.stale).toBe(true);
    expect(s.seq).toBe(8);
  });

  it('never goes back to an older control state', () => {
    let s = ev(hello(), { type: 'control', seq: 6, control: control(9, bob), reason: 'take', by: 'b' });
    s = ev(s, { type: 'control', seq: 7, control: control(8, alice), reason: 'give', by: 'a' });
    expect(s.control?.holder?.id).toBe('b');
    expect(s.seq).toBe(7);
  });

  it('pong gives the round trip without moving seq', () => {
    const s = ev(hello(), { type: 'pong', seq: 5, t: 1000 }, 1012.5);
    expect(s.rttMs).toBe(12.5);
    expect(s.seq).toBe(5);
  });

  it('keeps warnings and connection changes with their reasons', () => {
    let s = ev(hello(), {
      type: 'warning',
      seq: 6,
      reason: 'idle',
      at: 9,
      message: 'The room closes in 5 minutes',
    });
    expect(s.warning?.message).toContain('5 minutes');
    s = reduceSession(s, { type: 'reconnecting', reason: 'The room is restarting' });
    expect(s.phase).toBe('reconnecting');
    s = reduceSession(s, { type: 'closed', reason: 'gone' });
    expect(s).toMatchObject({ phase: 'closed', closedReason: 'gone' });
  });
});

describe('a room that ended for good', () => {
  it('closed with roomEnded (4504, 4404): the page stops the player too; a new connect clears it', () => {
    let s = reduceSession(INITIAL_SESSION, { type: 'closed', reason: 'failed', roomEnded: true });
    expect(s).toMatchObject({ phase: 'closed', closedReason: 'failed', roomEnded: true });
    s = reduceSession(s, { type: 'connecting' });
    expect(s.roomEnded).toBe(false);
    expect(reduceSession(INITIAL_SESSION, { type: 'closed', reason: 'x' }).roomEnded).toBe(false);
  });
});
