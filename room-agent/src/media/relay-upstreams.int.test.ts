import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Value } from 'typebox/value';
import {
  AGENT_AUDIENCE,
  AgentMetrics,
  RelayDownMessage,
  WS_CLOSE,
  type AgentState,
  type Role,
} from '@boxroom/contracts';
import { postJson, until } from '../../../test/support/agent-helpers.js';
import { startAgent, type RunningAgent } from '../../../test/support/agent-process.js';
import { isAvcKeyframe, readFlvWebSocket, waitForTag } from '../../../test/support/flv-reader.js';
import { signToken } from '../../../test/support/keys.js';

const nowS = () => Math.floor(Date.now() / 1000);

/** A dashboard's end of WS /relay: the stream, and the agent's answers (each checked against the contract). */
interface Relay {
  ws: WebSocket;
  down: RelayDownMessage[];
  closed: Promise<{ code: number; reason: string; at: number }>;
  answer(id: number, timeoutMs?: number): Promise<RelayDownMessage>;
  join(id: number, token: string): void;
}

describe('room agent: WS /relay (real agent, real ffmpeg stream)', () => {
  let agent: RunningAgent;
  const sockets: WebSocket[] = [];
  const token = (sub: string, role: Role, extra: { ttlS?: number; aud?: string } = {}) =>
    signToken(agent.keys, { room: agent.roomId, sub, role, ...extra });
  const dashboard = () => token('boxroom-dashboard', 'operator', { aud: AGENT_AUDIENCE, ttlS: 60 });
  const state = async (): Promise<AgentState> =>
    (await fetch(`${agent.url}/state?token=${await dashboard()}`)).json() as Promise<AgentState>;
  const metrics = async (): Promise<AgentMetrics> => {
    const body: unknown = await (await fetch(`${agent.url}/metrics?token=${await dashboard()}`)).json();
    if (!Value.Check(AgentMetrics, body)) throw new Error('GET /metrics is no AgentMetrics');
    return body;
  };

  const open = (tok: string): Relay => {
    const ws = new WebSocket(`${agent.wsUrl}/relay?token=${tok}`, { perMessageDeflate: false });
    sockets.push(ws);
    ws.on('error', () => {});
    const relay: Relay = {
      ws,
      down: [],
      closed: new Promise((r) =>
        ws.once('close', (code, reason) => r({ code, reason: String(reason), at: Date.now() })),
      ),
      answer: (id, timeoutMs = 5000) =>
        until(() => relay.down.find((m) => m.id === id), timeoutMs, `the agent's answer to viewer ${id}`),
      join: (id, tok) => ws.send(JSON.stringify({ type: 'join', id, token: tok })),
    };
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) return;
      const msg: unknown = JSON.parse(String(data));
      if (!Value.Check(RelayDownMessage, msg)) throw new Error(`not a RelayDownMessage: ${String(data)}`);
      relay.down.push(msg);
    });
    return relay;
  };
  const opened = async (tok: string): Promise<Relay> => {
    const relay = open(tok);
    await new Promise((r) => relay.ws.once('open', r));
    return relay;
  };

  beforeAll(async () => {
    agent = await startAgent({ BOXROOM_CONTROL_GRACE_MS: '0' });
    await agent.waitHealthy();
  });

  afterAll(async () => {
    for (const ws of sockets) ws.terminate();
    if (agent && agent.proc.exitCode === null) await agent.stop();
  });

  it('refuses a viewer`s token with 4403 and no token with 4401', async () => {
    expect((await open(await token('vic', 'viewer')).closed).code).toBe(WS_CLOSE.forbidden);
    expect((await open('').closed).code).toBe(WS_CLOSE.unauthorized);
  });

  it('sends a dashboard the WS-FLV stream, a keyframe within 1 s; relayUpstreams counts it', async () => {
    const t0 = Date.now();
    const relay = open(await dashboard());
    const reader = readFlvWebSocket(relay.ws, { keepTags: true });
    await waitForTag(reader, isAvcKeyframe, 1000);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(reader.header).toBeTruthy();
    expect((await metrics()).relayUpstreams).toBe(1);
    // the upstream itself is nobody watching
    expect((await state()).viewers).toBe(0);
    relay.ws.close();
    await relay.closed;
    await until(async () => (await metrics()).relayUpstreams === 0, 5000, 'the upstream to be gone');
  });

  it('admits valid viewers, counts them in /state and /metrics, and forgets them with their upstream', async () => {
    const relay = await opened(await dashboard());
    relay.join(1, await token('vera', 'viewer'));
    relay.join(2, await token('paul', 'participant'));
    expect(await relay.answer(1)).toEqual({ type: 'admitted', id: 1 });
    expect(await relay.answer(2)).toEqual({ type: 'admitted', id: 2 });
    expect((await state()).viewers).toBe(2);
    expect(await metrics()).toMatchObject({ viewers: 2, relayUpstreams: 1 });
    relay.ws.send(JSON.stringify({ type: 'leave', id: 2 }));
    await until(async () => (await state()).viewers === 1, 5000, 'the leave to count');
    relay.ws.close();
    await relay.closed;
    await until(async () => (await state()).viewers === 0, 5000, 'the upstream`s viewers to be forgotten');
    expect((await metrics()).relayUpstreams).toBe(0);
  });

  it('a kick closes an admitted relayed viewer with 4412 and refuses it at join with 4412', async () => {
    const relay = await opened(await dashboard());
    relay.join(1, await token('kim', 'participant'));
    relay.join(2, await token('ben', 'participant'));
    await relay.answer(1);
    await relay.answer(2);
    relay.down.length = 0;
    const t0 = Date.now();
    const res = await postJson(`${agent.url}/rights`, await dashboard(), {
      kicked: [{ participantId: 'kim', until: nowS() + 600 }],
      revokedBefore: {},
    });
    expect(res.status).toBe(204);
    expect(await relay.answer(1, 2000)).toMatchObject({ type: 'close', code: WS_CLOSE.kicked });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect((await state()).viewers).toBe(1);
    relay.join(3, await token('kim', 'participant'));
    expect(await relay.answer(3)).toMatchObject({ type: 'close', code: WS_CLOSE.kicked });
    expect(relay.down.some((m) => m.id === 2)).toBe(false);
    relay.ws.close();
    await relay.closed;
  });

  it('closes a relayed viewer with 4410 within 2 s of its token`s exp', async () => {
    const relay = await opened(await dashboard());
    const exp = (nowS() + 3) * 1000;
    relay.join(1, await token('eve', 'viewer', { ttlS: 3 }));
    expect(await relay.answer(1)).toEqual({ type: 'admitted', id: 1 });
    relay.down.length = 0;
    const closed = await relay.answer(1, 6000);
    expect(closed).toMatchObject({ type: 'close', code: WS_CLOSE.tokenExpired });
    expect(Date.now() - exp).toBeGreaterThanOrEqual(-50);
    expect(Date.now() - exp).toBeLessThan(2000);
    expect((await state()).viewers).toBe(0);
    relay.ws.close();
    await relay.closed;
  });

  it('closes an upstream that breaks the protocol with 1008', async () => {
    const relay = await opened(await dashboard());
    relay.ws.send(JSON.stringify({ type: 'join', id: 1 }));
    expect(await relay.closed).toMatchObject({ code: 1008, reason: 'expected a JSON join or leave message' });
  });
});
