import { describe, expect, it } from 'vitest';
import type { ControlState, ParticipantRef } from '@boxroom/contracts';
import { controlView } from './control-actions.js';

const alice: ParticipantRef = { id: 'a', name: 'alice', role: 'participant' };
const bob: ParticipantRef = { id: 'b', name: 'bob', role: 'participant' };
const owner: ParticipantRef = { id: 'o', name: 'olga', role: 'owner' };
const viewer: ParticipantRef = { id: 'v', name: 'vic', role: 'viewer' };
const all = [alice, bob, owner, viewer];
const c = (holder: ParticipantRef | null, queue: ParticipantRef[] = [], locked = false): ControlState => ({
  seq: 1,
  holder,
  queue,
  locked,
});

describe('controlView', () => {
  it('offers to take free control', () => {
    const v = controlView(alice, c(null), all);
    expect(v.primary).toEqual({ verb: 'request', label: 'Take control' });
    expect(v.status).toBe('Nobody is in control');
  });

  it('offers to request when someone holds it, and shows the queue position', () => {
    expect(controlView(alice, c(bob), all).primary?.label).toBe('Request control');
    const queued = controlView(alice, c(bob, [owner, alice]), all);
    expect(queued.queuePosition).toBe(2);
    expect(queued.primary).toEqual({ verb: 'release', label: 'Leave queue' });
    expect(queued.status).toBe('bob is in control · you are #2 in the queue');
  });

  it('the holder releases and may give to anyone who can hold control, but not viewers', () => {
    const v = controlView(alice, c(alice, [bob]), all);
    expect(v.inControl).toBe(true);
    expect(v.primary?.verb).toBe('release');
    expect(v.giveTargets.map((p) => p.id)).toEqual(['b', 'o']);
    expect(v.status).toBe('You are in control · bob is waiting');
    expect(v.canTake).toBe(false);
  });

  it('viewers get no buttons', () => {
    const v = controlView(viewer, c(alice), all);
    expect(v).toMatchObject({ primary: null, canTake: false, canReset: false, giveTargets: [] });
    expect(v.status).toBe('alice is in control');
  });

  it('moderators may take, reset and give', () => {
    const v = controlView(owner, c(alice, [bob]), all);
    expect(v.canTake).toBe(true);
    expect(v.canReset).toBe(true);
    expect(v.giveTargets.map((p) => p.id)).toEqual(['b']);
    expect(controlView(owner, c(null), all).canReset).toBe(false);
  });

  it('locked control: participants cannot request, moderators can', () => {
    expect(controlView(alice, c(null, [], true), all).primary).toBeNull();
    expect(controlView(owner, c(null, [], true), all).primary?.verb).toBe('request');
    expect(controlView(bob, c(owner, [], true), all).status).toBe(
      'olga is in control · locked to moderators',
    );
  });

  it('before hello: nothing to press', () => {
    expect(controlView(null, null, []).status).toBe('connecting...');
  });
});
