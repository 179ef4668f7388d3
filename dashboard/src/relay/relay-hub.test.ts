import { createServer, get, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { WS_CLOSE, type RelayDownMessage, type RelayUpMessage } from '@boxroom/contracts';
import {
  FLV_HEADER,
  flvAudioSeq,
  flvInterframe,
  flvKeyframe,
  flvMeta,
  flvVideoSeq,
} from '../testing/flv-tags.js';
import { until } from '../testing/until.js';
import { HttpRelayClient, WsRelayClient, type HttpRelayOutcome } from './relay-client.js';
import { RelayHub } from './relay-hub.js';

const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** The agent's end of each WS /relay: what the relay sent, and how to answer. */
interface AgentEnd {
  ws: WebSocket;
  url: string;
  up: RelayUpMessage[];
  send(msg: RelayDownMessage | Buffer): void;
}

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function server(onConnection: (ws: WebSocket, url: string) => void): Promise<number> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  wss.on('connection', (ws, req) => onConnection(ws, req.url ?? ''));
  await new Promise((r) => wss.once('listening', r));
  closers.push(() => {
    for (const c of wss.clients) c.terminate();
    return new Promise<void>((r) => wss.close(() => r()));
  });
  return (wss.address() as AddressInfo).port;
}

const KEY = flvKeyframe(0);
const BURST = [FLV_HEADER, flvMeta(), flvAudioSeq(), flvVideoSeq(), KEY];

async function setup() {
  const agents: AgentEnd[] = [];
  const agentPort = await server((ws, url) => {
    const end: AgentEnd = {
      ws,
      url,
      up: [],
      send: (m) => (Buffer.isBuffer(m) ? ws.send(m, { binary: true }) : ws.send(JSON.stringify(m))),
    };
    ws.on('message', (d) => end.up.push(JSON.parse(String(d)) as RelayUpMessage));
    for (const u of BURST) ws.send(u, { binary: true });
    agents.push(end);
  });
  const tokens: string[] = [];
  const hub = new RelayHub({
    agentToken: async (room) => {
      tokens.push(room);
      return `agent-token-${room}`;
    },
    log,
    lingerMs: 200,
  });
  closers.push(() => hub.close());
  // the edge: each accepted socket goes to the hub with the token in its query
  const edgePort = await server((ws, url) => {
    const q = new URL(url, 'http://x').searchParams;
    void hub.attach(q.get('room')!, `http://127.0.0.1:${agentPort}`, new WsRelayClient(ws), q.get('token')!);
  });
  const viewer = async (room: string, token: string) => {
    const ws = new WebSocket(`ws://127.0.0.1:${edgePort}/?room=${room}&token=${token}`);
    closers.push(() => ws.terminate());
    const v = {
      ws,
      got: [] as Buffer[],
      closed: new Promise<{ code: number; reason: string }>((r) =>
        ws.once('close', (code, reason) => r({ code, reason: String(reason) })),
      ),
    };
    ws.on('message', (d: Buffer) => v.got.push(d));
    await new Promise((r) => ws.once('open', r));
    return v;
  };
  // an HTTP-FLV edge: the response goes to the hub, its outcome is recorded (an error answered as JSON)
  const outcomes: Array<HttpRelayOutcome | number> = [];
  const http = createServer((req, res) => {
    const q = new URL(req.url ?? '', 'http://x').searchParams;
    const client = new HttpRelayClient(res, () => {});
    void hub.attach(q.get('room')!, `http://127.0.0.1:${agentPort}`, client, q.get('token')!);
    client.outcome.then(
      (o) => outcomes.push(o),
      (err: { status: number; message: string }) => {
        outcomes.push(err.status);
        res.writeHead(err.status, { 'content-type': 'application/json' }).end(err.message);
      },
    );
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  closers.push(() => {
    http.closeAllConnections();
    return new Promise<void>((r) => http.close(() => r()));
  });
  const httpViewer = (room: string, token: string) => {
    const got: Buffer[] = [];
    let answer: IncomingMessage | null = null;
    const req = get(
      `http://127.0.0.1:${(http.address() as AddressInfo).port}/?room=${room}&token=${token}`,
      (r) => {
        answer = r;
        r.on('data', (d: Buffer) => got.push(d));
      },
    );
    req.on('error', () => {});
    closers.push(() => void req.destroy());
    return { req, got, answer: () => answer };
  };
  return { agents, agentPort, hub, tokens, viewer, httpViewer, outcomes };
}

describe('RelayHub and RoomRelay', () => {
  it('one upstream per room: each viewer is announced with its token and served only once admitted', async () => {
    const { agents, hub, tokens, viewer } = await setup();
    const a = await viewer('r1', 'tok-a');
    const b = await viewer('r1', 'tok-b');
    await until(() => agents[0]?.up.length === 2, 2000);
    expect(agents).toHaveLength(1);
    expect(tokens).toEqual(['r1']);
    expect(new URL(agents[0]!.url, 'http://x').pathname).toBe('/relay');
    expect(new URL(agents[0]!.url, 'http://x').searchParams.get('token')).toBe('agent-token-r1');
    expect(agents[0]!.up).toEqual([
      { type: 'join', id: 1, token: 'tok-a' },
      { type: 'join', id: 2, token: 'tok-b' },
    ]);
    expect(hub.upstreams()).toBe(1);
    expect(hub.viewers()).toBe(2);
    expect(a.got).toEqual([]);

    agents[0]!.send({ type: 'admitted', id: 1 });
    // the join burst at once: header, metadata, sequence headers, the GOP
    await until(() => a.got.length === BURST.length, 2000);
    expect(a.got).toEqual(BURST);
    const live = flvInterframe(40);
    agents[0]!.send(live);
    await until(() => a.got.length === BURST.length + 1, 2000);
    expect(a.got.at(-1)).toEqual(live);
    expect(b.got).toEqual([]);

    // the agent's close: code and reason as sent; the relay forgets it (no leave)
    agents[0]!.send({
      type: 'close',
      id: 2,
      code: WS_CLOSE.kicked,
      reason: 'you were removed from this room',
    });
    expect(await b.closed).toEqual({ code: WS_CLOSE.kicked, reason: 'you were removed from this room' });
    await until(() => hub.viewers() === 1, 2000);
    // a viewer that goes: leave
    a.ws.close();
    await until(() => agents[0]!.up.length === 3, 2000);
    expect(agents[0]!.up[2]).toEqual({ type: 'leave', id: 1 });
    expect(hub.viewers()).toBe(0);
  });

  it('a viewer that stops reading is skipped by its lag (pings), and the skip still counts once the relay ended', async () => {
    const { agents, hub, viewer } = await setup();
    const a = await viewer('r1', 'tok-a');
    await until(() => agents[0]?.up.length === 1, 2000);
    agents[0]!.send({ type: 'admitted', id: 1 });
    await until(() => a.got.length === BURST.length, 2000);
    let ts = 40;
    const frames = async (ms: number) => {
      for (const end = Date.now() + ms; Date.now() < end; ts += 40) {
        agents[0]!.send(flvInterframe(ts));
        await new Promise((r) => setTimeout(r, 40));
      }
    };
    await frames(400); // read, and its pings answered: the link's round trip is known
    expect(hub.behindCounts()).toEqual({ skips: 0, dropped: 0 });
    a.ws.pause(); // nothing read from here: the next ping is never answered
    let sending = true;
    const more = (async () => {
      while (sending) await frames(40);
    })();
    // a frame more than 1 s after that ping (sent within 250 ms of the pause) finds it behind
    await until(() => hub.behindCounts().skips === 1, 5000);
    sending = false;
    await more;
    expect(hub.behindCounts()).toEqual({ skips: 1, dropped: 0 });
    agents[0]!.ws.close(); // the room's stream ends: the relay with it
    await until(() => hub.upstreams() === 0, 2000);
    expect(hub.behindCounts()).toEqual({ skips: 1, dropped: 0 });
  });

  it('HTTP-FLV viewers: no headers before admitted; a refusal is its HTTP status; one that goes is left', async () => {
    const { agents, hub, httpViewer, outcomes } = await setup();
    const a = httpViewer('r1', 'tok-a');
    const b = httpViewer('r1', 'tok-b');
    const c = httpViewer('r1', 'tok-c');
    await until(() => agents[0]?.up.length === 3, 2000);
    await new Promise((r) => setTimeout(r, 50));
    expect([a.answer(), b.answer(), c.answer()]).toEqual([null, null, null]);

    agents[0]!.send({ type: 'admitted', id: 1 });
    await until(() => Buffer.concat(a.got).length === Buffer.concat(BURST).length, 2000);
    expect(a.answer()!.statusCode).toBe(200);
    expect(a.answer()!.headers['content-type']).toBe('video/x-flv');
    expect(a.answer()!.headers['cache-control']).toBe('no-store');
    expect(Buffer.concat(a.got)).toEqual(Buffer.concat(BURST));

    agents[0]!.send({ type: 'close', id: 2, code: WS_CLOSE.kicked, reason: 'you were removed' });
    await until(() => b.answer() !== null, 2000);
    expect(b.answer()!.statusCode).toBe(401);

    c.req.destroy();
    await until(() => agents[0]!.up.some((m) => m.type === 'leave' && m.id === 3), 2000);
    expect(outcomes).toEqual(['served', 401, 'gone']);

    // a close after admission just ends the response
    const ended = new Promise((r) => a.answer()!.once('close', r));
    agents[0]!.send({ type: 'close', id: 1, code: WS_CLOSE.tokenExpired, reason: 'token expired' });
    await ended;
    await until(() => hub.viewers() === 0, 2000);
  });

  it('closes the upstream a while after the last viewer leaves; a viewer meanwhile keeps it', async () => {
    const { agents, hub, viewer } = await setup();
    const a = await viewer('r1', 'a');
    await until(() => agents[0]?.up.length === 1, 2000);
    a.ws.close();
    await until(() => hub.viewers() === 0, 2000);
    const b = await viewer('r1', 'b');
    await until(() => agents[0]!.up.length === 3, 2000);
    expect(agents).toHaveLength(1);
    b.ws.close();
    const upstreamClosed = new Promise<number>((r) => agents[0]!.ws.once('close', (code) => r(code)));
    expect(await upstreamClosed).toBe(WS_CLOSE.goingAway);
    await until(() => hub.upstreams() === 0, 2000);
    await viewer('r1', 'c');
    await until(() => agents.length === 2, 2000);
  });

  it('the upstream ending closes every viewer: 4504 stays 4504, anything else becomes 4503', async () => {
    const { agents, hub, viewer } = await setup();
    const a = await viewer('r1', 'a');
    const b = await viewer('r1', 'b');
    const c = await viewer('r2', 'c');
    await until(() => agents.length === 2 && agents.every((x) => x.up.length > 0), 2000);
    const r1 = agents.find((x) => x.up.length === 2)!;
    const r2 = agents.find((x) => x.up.length === 1)!;
    r1.send({ type: 'admitted', id: 1 });
    await until(() => a.got.length > 0, 2000);
    // b is still waiting for the agent's answer: it is closed as well
    r1.ws.close(WS_CLOSE.roomFailed, 'room failed: Xvfb exited');
    expect(await a.closed).toEqual({ code: WS_CLOSE.roomFailed, reason: 'room failed: Xvfb exited' });
    expect(await b.closed).toEqual({ code: WS_CLOSE.roomFailed, reason: 'room failed: Xvfb exited' });
    r2.ws.close(WS_CLOSE.goingAway, 'stream ended');
    expect((await c.closed).code).toBe(WS_CLOSE.unavailable);
    await until(() => hub.upstreams() === 0, 2000);
    expect(hub.viewers()).toBe(0);
  });

  it('an agent that refuses the upstream closes the viewer with 4503', async () => {
    const hub = new RelayHub({ agentToken: async () => 't', log });
    closers.push(() => hub.close());
    const port = await server((ws) => ws.close(4401, 'invalid token'));
    const edgePort = await server(
      (ws) => void hub.attach('r1', `http://127.0.0.1:${port}`, new WsRelayClient(ws), 'tok'),
    );
    const ws = new WebSocket(`ws://127.0.0.1:${edgePort}/`);
    closers.push(() => ws.terminate());
    const code = await new Promise<number>((r) => ws.once('close', (c) => r(c)));
    expect(code).toBe(WS_CLOSE.unavailable);
    await until(() => hub.upstreams() === 0, 2000);
  });

  it('a close the agent sends with a code ws may not send, or a long reason, still closes the viewer', async () => {
    const { agents, hub, viewer } = await setup();
    const a = await viewer('r1', 'a');
    const b = await viewer('r1', 'b');
    await until(() => agents[0]?.up.length === 2, 2000);
    // 1005 may not go in a close frame, and 100 two-byte characters are 200 bytes: ws would throw on both
    agents[0]!.send({ type: 'close', id: 1, code: 1005, reason: 'x' });
    agents[0]!.send({ type: 'close', id: 2, code: WS_CLOSE.kicked, reason: 'é'.repeat(100) });
    expect(await a.closed).toEqual({ code: WS_CLOSE.unavailable, reason: 'x' });
    const closedB = await b.closed;
    expect(closedB.code).toBe(WS_CLOSE.kicked);
    expect(closedB.reason).toBe('é'.repeat(61));
    await until(() => hub.viewers() === 0, 2000);
  });

  it('an upstream opened for a viewer that went meanwhile closes after the linger', async () => {
    const { agents, agentPort, hub } = await setup();
    const ws = new WebSocket('ws://127.0.0.1:1/'); // never opens: stands for a viewer already gone
    closers.push(() => ws.terminate());
    await new Promise((r) => ws.once('error', r));
    await hub.attach('r1', `http://127.0.0.1:${agentPort}`, new WsRelayClient(ws), 'a');
    await until(() => agents.length === 1, 2000);
    expect(hub.viewers()).toBe(0);
    await until(() => hub.upstreams() === 0, 2000);
  });
});
