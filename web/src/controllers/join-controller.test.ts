// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EndedRoomJoinResult, JoinResult } from '@boxroom/contracts';
import { JoinController } from './join-controller.js';
import type { SessionController } from './session-controller.js';

const ENDED: EndedRoomJoinResult = {
  ended: true,
  token: 'recordings-token',
  role: 'viewer',
  expiresAt: new Date(Date.now() + 600_000).toISOString(),
  room: { id: 'room1', name: 'demo' },
};
const LIVE = {
  token: 'room-token',
  role: 'participant',
  participantId: 'p1',
  expiresAt: new Date(Date.now() + 600_000).toISOString(),
  room: { id: 'room1', name: 'demo', status: 'ready' },
} as unknown as JoinResult;

function setup(answers: unknown[]) {
  const joins: unknown[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    joins.push([url, JSON.parse(String(init.body))]);
    return new Response(JSON.stringify(answers.shift()), { status: 200 });
  });
  const session = { start: vi.fn(), stop: vi.fn(), renew: vi.fn(), reconnect: vi.fn() };
  const host = { addController: vi.fn(), requestUpdate: vi.fn() };
  const j = new JoinController(host as never, {
    roomId: () => 'room1',
    transport: () => 'ws',
    session: session as unknown as SessionController,
  });
  return { j, joins, session };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('JoinController and an ended room', () => {
  beforeEach(() => history.replaceState(null, '', '/r/room1#invite=s3cret'));
  afterEach(() => vi.unstubAllGlobals());

  it('a join answered `ended` shows the recordings: no session, no stream', async () => {
    const { j, joins, session } = setup([ENDED]);
    j.submitName('vera');
    await settle();
    expect(joins).toEqual([['/api/rooms/room1/join', { invite: 's3cret', name: 'vera' }]]);
    expect(j.phase).toBe('ended');
    expect(j.ended).toEqual(ENDED);
    expect(j.roomName).toBe('demo');
    expect(j.ready).toBe(false);
    expect(session.start).not.toHaveBeenCalled();
    j.hostDisconnected();
  });

  it('a room deleted while the page is in it: joined again, its recordings', async () => {
    const { j, joins, session } = setup([LIVE, ENDED]);
    j.submitName('paul');
    await settle();
    expect(j.phase).toBe('room');
    expect(session.start).toHaveBeenCalledTimes(1);
    await j.afterRoomEnded();
    expect(joins).toHaveLength(2);
    expect(j.phase).toBe('ended');
    expect(session.stop).toHaveBeenCalled();
    j.hostDisconnected();
  });

  it('a room that has not ended stays as it is (its banner says why it closed)', async () => {
    const { j } = setup([LIVE, LIVE]);
    j.submitName('paul');
    await settle();
    await j.afterRoomEnded();
    expect(j.phase).toBe('room');
    expect(j.ended).toBeNull();
    j.hostDisconnected();
  });
});

describe('JoinController and a room that is not starting', () => {
  beforeEach(() => history.replaceState(null, '', '/r/room1#invite=s3cret'));
  afterEach(() => vi.unstubAllGlobals());

  it('a stopping room is asked again after a pause, not in a loop (a held GET answers it at once)', async () => {
    const stopping = { id: 'room1', name: 'demo', status: 'stopping' };
    const gets: string[] = [];
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      if (init.method === 'GET') gets.push(url);
      const body = init.method === 'GET' ? stopping : { ...LIVE, room: stopping };
      return new Response(JSON.stringify(body), { status: 200 });
    });
    const host = { addController: vi.fn(), requestUpdate: vi.fn() };
    const session = { start: vi.fn(), stop: vi.fn(), renew: vi.fn(), reconnect: vi.fn() };
    const j = new JoinController(host as never, {
      roomId: () => 'room1',
      transport: () => 'ws',
      session: session as unknown as SessionController,
    });
    j.submitName('vera');
    await new Promise((r) => setTimeout(r, 300));
    expect(j.error).toMatch(/shutting down/);
    expect(gets.length).toBeLessThanOrEqual(1);
    j.hostDisconnected();
  });
});
