import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { WS_CLOSE, type RelayDownMessage, type TokenClaims } from '@boxroom/contracts';
import { StreamFanout, type FlvTagSource } from '@boxroom/media-fanout';
import { RightsRegistry } from '../auth/rights-registry.js';
import { AuthError } from '../auth/token-verifier.js';
import { createRootLogger } from '../logger.js';
import { FakeClock } from '../testing/fake-clock.js';
import { RELAY_PROTOCOL_CLOSE, RelayUpstreams } from './relay-upstreams.js';

const log = createRootLogger(process.env.BOXROOM_LOG_LEVEL ?? 'silent');

class FakeSource implements FlvTagSource {
  listener: ((tag: Buffer) => void) | null = null;
  forEachJoinBuffer(fn: (buf: Buffer) => void): void {
    fn(Buffer.from('FLV-HEADER'));
  }
  setTagListener(fn: ((tag: Buffer) => void) | null): void {
    this.listener = fn;
  }
}

/** A relay's end of one upstream: what it was sent, split into stream bytes and protocol messages. */
interface RelayEnd {
  ws: WebSocket;
  binary: Buffer[];
  down: RelayDownMessage[];
  closed: Promise<{ code: number; reason: string }>;
  next(pred: (m: RelayDownMessage) => boolean): Promise<RelayDownMessage>;
  send(msg: unknown): void;
}

const servers: WebSocketServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    for (const c of s.clients) c.terminate();
    await new Promise((r) => s.close(r));
  }
});

async function setup(opts: { maxViewersPerUpstream?: number } = {}) {
  const clock = new FakeClock();
  clock.t = 1_000_000_000;
  const nowS = () => Math.floor(clock.now() / 1000);
  const rights = new RightsRegistry(log, clock);
  const source = new FakeSource();
  const fanout = new StreamFanout(source, { maxBacklogBytes: 1024 * 1024, logger: log });
  /** tokens are the claims' sub: "bad" is not a token, "slow:<sub>" takes until release() */
  let release: () => void = () => {};
  const verify = async (token: string): Promise<TokenClaims> => {
    if (token === 'bad') throw new AuthError('invalid token');
    if (token.startsWith('slow:')) await new Promise<void>((r) => (release = r));
    const sub = token.replace(/^slow:/, '');
    return { iss: 'boxroom', sub, room: 'r', role: 'viewer', name: sub, iat: nowS(), exp: nowS() + 60 };
  };
  const relay = new RelayUpstreams({ fanout, verify, rights, log, ...opts });
  const counts: number[] = [];
  relay.on('viewers', (n) => counts.push(n));

  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  servers.push(wss);
  wss.on('connection', (ws) => relay.attach(ws));
  await new Promise((r) => wss.once('listening', r));
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;

  const connect = async (): Promise<RelayEnd> => {
    const ws = new WebSocket(url);
    const end: RelayEnd = {
      ws,
      binary: [],
      down: [],
      closed: new Promise((r) => ws.once('close', (code, reason) => r({ code, reason: String(reason) }))),
      next: (pred) =>
        new Promise((resolve) => {
          const seen = end.down.find(pred);
          if (seen) return resolve(seen);
          const on = (data: Buffer, isBinary: boolean) => {
            if (isBinary) return;
            const m = JSON.parse(String(data)) as RelayDownMessage;
            if (!pred(m)) return;
            ws.off('message', on);
            resolve(m);
          };
          ws.on('message', on);
        }),
      send: (msg) => ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg)),
    };
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) end.binary.push(data);
      else end.down.push(JSON.parse(String(data)) as RelayDownMessage);
    });
    await new Promise((r) => ws.once('open', r));
    // the server attached it once the join buffer arrives
    await until(() => end.binary.length > 0);
    return end;
  };
  return { clock, rights, source, fanout, relay, counts, connect, nowS, release: () => release() };
}

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const isFor = (type: RelayDownMessage['type'], id: number) => (m: RelayDownMessage) =>
  m.type === type && m.id === id;

describe('RelayUpstreams', () => {
  it('an upstream is a fan-out viewer (join buffers, live tags) but not one of the room`s viewers', async () => {
    const { source, fanout, relay, connect } = await setup();
    const up = await connect();
    expect(up.binary[0]!.toString()).toBe('FLV-HEADER');
    const tag = Buffer.alloc(100, 7);
    tag[0] = 18;
    source.listener!(tag);
    await until(() => up.binary.length === 2);
    expect(up.binary[1]!.equals(tag)).toBe(true);
    expect(fanout.viewerCount()).toBe(1);
    expect(relay.upstreamCount()).toBe(1);
    expect(relay.viewerCount()).toBe(0);
  });

  it('admits a viewer with a valid token and counts it until it leaves', async () => {
    const { relay, rights, counts, connect } = await setup();
    const up = await connect();
    up.send({ type: 'join', id: 1, token: 'vera' });
    expect(await up.next(isFor('admitted', 1))).toEqual({ type: 'admitted', id: 1 });
    expect(relay.viewerCount()).toBe(1);
    expect(rights.size()).toBe(1);
    up.send({ type: 'leave', id: 1 });
    await until(() => relay.viewerCount() === 0);
    expect(rights.size()).toBe(0);
    expect(counts).toEqual([0, 1, 0]);
  });

  it('refuses a bad token with the code a direct viewer would get, and a kicked participant with 4412', async () => {
    const { relay, rights, connect, nowS } = await setup();
    const up = await connect();
    up.send({ type: 'join', id: 1, token: 'bad' });
    expect(await up.next(isFor('close', 1))).toEqual({
      type: 'close',
      id: 1,
      code: WS_CLOSE.unauthorized,
      reason: 'invalid token',
    });
    rights.apply({ kicked: [{ participantId: 'kim', until: nowS() + 600 }], revokedBefore: {} });
    up.send({ type: 'join', id: 2, token: 'kim' });
    expect(await up.next(isFor('close', 2))).toMatchObject({ code: WS_CLOSE.kicked });
    expect(relay.viewerCount()).toBe(0);
    expect(rights.size()).toBe(0);
  });

  it('closes an admitted viewer when its right ends: kicked 4412, token expired 4410', async () => {
    const { clock, relay, rights, connect, nowS } = await setup();
    const up = await connect();
    up.send({ type: 'join', id: 1, token: 'kim' });
    up.send({ type: 'join', id: 2, token: 'eve' });
    await up.next(isFor('admitted', 1));
    await up.next(isFor('admitted', 2));
    expect(relay.viewerCount()).toBe(2);
    rights.apply({ kicked: [{ participantId: 'kim', until: nowS() + 600 }], revokedBefore: {} });
    expect(await up.next(isFor('close', 1))).toMatchObject({ code: WS_CLOSE.kicked });
    expect(relay.viewerCount()).toBe(1);
    clock.advance(60_000);
    expect(await up.next(isFor('close', 2))).toMatchObject({ code: WS_CLOSE.tokenExpired });
    expect(relay.viewerCount()).toBe(0);
    // a leave that crossed the close is harmless
    up.send({ type: 'leave', id: 2 });
    up.send({ type: 'join', id: 3, token: 'ada' });
    await up.next(isFor('admitted', 3));
    expect(relay.viewerCount()).toBe(1);
  });

  it('an upstream that closes takes its viewers along; another upstream keeps its own', async () => {
    const { relay, rights, counts, connect } = await setup();
    const a = await connect();
    const b = await connect();
    a.send({ type: 'join', id: 1, token: 'ann' });
    a.send({ type: 'join', id: 2, token: 'abe' });
    b.send({ type: 'join', id: 1, token: 'bea' });
    await a.next(isFor('admitted', 2));
    await b.next(isFor('admitted', 1));
    expect(relay.viewerCount()).toBe(3);
    expect(relay.upstreamCount()).toBe(2);
    a.ws.close();
    await until(() => relay.upstreamCount() === 1);
    expect(relay.viewerCount()).toBe(1);
    expect(rights.size()).toBe(1);
    expect(counts.at(-1)).toBe(1);
  });

  it('a viewer that leaves while its token is checked is never admitted nor counted', async () => {
    const { relay, rights, connect, release } = await setup();
    const up = await connect();
    up.send({ type: 'join', id: 1, token: 'slow:sam' });
    up.send({ type: 'leave', id: 1 });
    // messages are handled in order: once 2 is admitted, 1 has left (its check still running)
    up.send({ type: 'join', id: 2, token: 'ida' });
    await up.next(isFor('admitted', 2));
    release();
    up.send({ type: 'join', id: 3, token: 'ivy' });
    await up.next(isFor('admitted', 3));
    expect(up.down.filter((m) => m.id === 1)).toEqual([]);
    expect(relay.viewerCount()).toBe(2);
    expect(rights.size()).toBe(2);
  });

  it('bounds the viewers of one upstream: over it, a join is closed with 4503', async () => {
    const { relay, connect } = await setup({ maxViewersPerUpstream: 2 });
    const up = await connect();
    for (const id of [1, 2, 3]) up.send({ type: 'join', id, token: `v${id}` });
    expect(await up.next(isFor('close', 3))).toMatchObject({ code: WS_CLOSE.unavailable });
    await up.next(isFor('admitted', 2));
    expect(relay.viewerCount()).toBe(2);
  });

  it.each([
    ['text that is not JSON', 'hello'],
    ['an unknown message', { type: 'watch', id: 1 }],
    ['a join without a token', { type: 'join', id: 1 }],
    ['an id of 0', { type: 'leave', id: 0 }],
    ['a binary message', Buffer.from('x')],
  ])('closes an upstream that sends %s with 1008 and a reason', async (_what, msg) => {
    const { relay, connect } = await setup();
    const up = await connect();
    if (Buffer.isBuffer(msg)) up.ws.send(msg);
    else up.send(msg);
    const closed = await up.closed;
    expect(closed.code).toBe(RELAY_PROTOCOL_CLOSE);
    expect(closed.reason).toBe('expected a JSON join or leave message');
    await until(() => relay.upstreamCount() === 0);
  });

  it('closes an upstream that joins one id twice', async () => {
    const { relay, rights, connect } = await setup();
    const up = await connect();
    up.send({ type: 'join', id: 1, token: 'dan' });
    await up.next(isFor('admitted', 1));
    up.send({ type: 'join', id: 1, token: 'dan' });
    expect(await up.closed).toEqual({ code: RELAY_PROTOCOL_CLOSE, reason: 'viewer 1 joined twice' });
    await until(() => relay.upstreamCount() === 0);
    expect(relay.viewerCount()).toBe(0);
    expect(rights.size()).toBe(0);
  });

  it('the fan-out closing (room failed) closes the upstream with its code', async () => {
    const { fanout, relay, connect } = await setup();
    const up = await connect();
    fanout.close(WS_CLOSE.roomFailed, 'room failed: Xvfb gone');
    expect(await up.closed).toEqual({ code: WS_CLOSE.roomFailed, reason: 'room failed: Xvfb gone' });
    await until(() => relay.upstreamCount() === 0);
    expect(relay.viewerCount()).toBe(0);
  });
});
