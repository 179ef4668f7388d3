import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlState, SessionEvent } from '@boxroom/contracts';
import { startAgent, type RunningAgent } from '../../../test/support/agent-process.js';
import {
  openSession,
  postJson,
  until,
  xHeld,
  xPointer,
  type SessionRecorder,
} from '../../../test/support/agent-helpers.js';
import { RfbTestClient } from '../../../test/support/rfb-test-client.js';

const GRACE_MS = 1500;
const IDLE_S = 4;

const controlEvent = (e: SessionEvent): e is Extract<SessionEvent, { type: 'control' }> =>
  e.type === 'control';

/**
 * The control lease against the real agent, X server and x11vnc: hand-offs release what the old
 * holder pressed, close its input with 4409, and admit the new holder's input.
 */
describe('control lease with the real room agent', () => {
  let agent: RunningAgent;
  const open: Array<SessionRecorder | RfbTestClient> = [];
  let tokens: Record<'a' | 'b' | 'c' | 'op', string>;

  const post = (action: string, token: string, body?: unknown) =>
    postJson(`${agent.url}/control/${action}`, token, body);
  const state = async (): Promise<ControlState> =>
    ((await (await fetch(`${agent.url}/state?token=${tokens.op}`)).json()) as { control: ControlState })
      .control;
  const session = async (token: string) => {
    const s = await openSession(`${agent.wsUrl}/session?token=${token}`);
    open.push(s);
    return s;
  };
  const input = async (token: string) => {
    const c = await RfbTestClient.open(`${agent.wsUrl}/input?token=${token}`);
    open.push(c);
    await c.handshake();
    await c.waitForFirstUpdate();
    return c;
  };

  beforeAll(async () => {
    agent = await startAgent({
      BOXROOM_WIDTH: '800',
      BOXROOM_HEIGHT: '600',
      BOXROOM_CONTROL_GRACE_MS: String(GRACE_MS),
      BOXROOM_CONTROL_IDLE_S: String(IDLE_S),
    });
    await agent.waitHealthy();
    tokens = {
      a: await agent.token('a', 'participant', 'Ann'),
      b: await agent.token('b', 'owner', 'Ben'),
      c: await agent.token('c', 'participant', 'Cy'),
      op: await agent.token('op', 'operator'),
    };
  });

  afterAll(async () => {
    for (const s of open) s.close();
    if (agent) await agent.stop();
  });

  it('a take: A`s Shift and button are released, A`s input closes with 4409, B`s input works', async () => {
    expect((await post('request', tokens.a)).body).toMatchObject({ holder: { id: 'a' } });
    const a = await input(tokens.a);
    a.pointer(100, 100, 0);
    a.key(0xffe1, true);
    a.pointer(100, 100, 1);
    await until(
      async () => (await xHeld(agent.display, agent.runDir)).length >= 2,
      3000,
      'Shift and button 1 held',
    );

    // B asks for /input before the take: refused, the gate is A's alone.
    const early = await RfbTestClient.open(`${agent.wsUrl}/input?token=${tokens.b}`);
    expect(await early.closed).toMatchObject({ code: 4403 });

    expect((await post('take', tokens.b)).body).toMatchObject({ holder: { id: 'b' } });
    // B connects at once, while A's releases may still be on their way: B is admitted after them.
    const bOpening = input(tokens.b);
    expect(await a.closed).toEqual({ code: 4409, reason: 'control passed to another participant' });
    const b = await bOpening;
    expect(await xHeld(agent.display, agent.runDir)).toEqual([]);

    b.pointer(321, 123, 0);
    await until(
      async () => (await xPointer(agent.display, agent.runDir)).startsWith('x:321 y:123'),
      3000,
      'B`s move',
    );
    // A's late release after the take changes nothing.
    const before = await state();
    expect((await post('release', tokens.a)).body).toMatchObject({ holder: { id: 'b' }, seq: before.seq });
    b.close();
    await post('reset', tokens.op);
  });

  it('a holder who disconnects with a queue passes control to the next after the grace period', async () => {
    const sa = await session(tokens.a);
    const sc = await session(tokens.c);
    await post('request', tokens.a);
    expect((await post('request', tokens.c)).body).toMatchObject({
      holder: { id: 'a' },
      queue: [{ id: 'c' }],
    });
    // Everyone sees the queue with its positions.
    await sc.waitFor((e) => controlEvent(e) && e.control.queue[0]?.id === 'c', 3000, 'queue event');

    const a = await input(tokens.a);
    const closedAt = Date.now();
    sa.close();
    await new Promise((r) => setTimeout(r, GRACE_MS / 2));
    expect((await state()).holder?.id).toBe('a');
    const passed = await sc.waitFor(
      (e) => controlEvent(e) && e.control.holder?.id === 'c',
      GRACE_MS * 3,
      'control to pass to c',
    );
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(GRACE_MS - 50);
    expect(passed).toMatchObject({ reason: 'disconnect', by: null });
    expect(await a.closed).toMatchObject({ code: 4409 });
    sc.close();
    await post('reset', tokens.op);
  });

  it('the idle timeout passes control to the next in queue', async () => {
    const sb = await session(tokens.b);
    // C waits with the room open (a participant who left loses their place after the grace).
    await session(tokens.c);
    await post('request', tokens.a);
    await post('request', tokens.c);
    const a = await input(tokens.a);
    // Input keeps A in control past the idle time.
    const started = Date.now();
    while (Date.now() - started < IDLE_S * 1000 + 500) {
      a.pointer(10 + ((Date.now() / 100) % 50), 10, 0);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect((await state()).holder?.id).toBe('a');
    const idleFrom = Date.now();
    const passed = await sb.waitFor(
      (e) => controlEvent(e) && e.reason === 'idle',
      IDLE_S * 1000 + 3000,
      'the idle hand-off',
    );
    expect(Date.now() - idleFrom).toBeGreaterThanOrEqual(IDLE_S * 1000 - 300);
    expect(passed).toMatchObject({ control: { holder: { id: 'c' } }, by: null });
    expect(await a.closed).toMatchObject({ code: 4409 });
    await post('reset', tokens.op);
  });
});
