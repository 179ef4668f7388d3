import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { WS_CLOSE } from '@boxroom/contracts';
import { createRootLogger } from '../logger.js';
import { InputGate, type InputDetachCause, type InputGateOptions } from './input-gate.js';
import {
  decodeClientCutText,
  encodeClientCutText,
  encodeKeyEvent,
  encodePointerEvent,
  KEYSYM,
} from './rfb-messages.js';
import {
  openClient,
  send,
  startFakeVnc,
  startWsServer,
  until,
  type FakeVnc,
  type WsTestServer,
} from './input-test-support.js';

const HANDSHAKE = Buffer.concat([Buffer.from('RFB 003.008\n'), Buffer.from([1, 1])]);

describe('InputGate', () => {
  let vnc: FakeVnc;
  let server: WsTestServer;
  let gate: InputGate;
  let inputs: number;
  let detached: { participantId: string; cause: InputDetachCause }[];
  /** participant ids handed to admit(), in connection order */
  let nextIds: string[];
  /** when set, server-side sockets are parked here instead of admitted, for the test to admit */
  let parked: WebSocket[] | null;

  async function setup(extra: Partial<InputGateOptions> = {}, vncSocket?: string): Promise<void> {
    gate = new InputGate({
      vncSocket: vncSocket ?? vnc.path,
      logger: createRootLogger(process.env.BOXROOM_LOG_LEVEL ?? 'silent'),
      onInput: () => inputs++,
      onDetach: (participantId, cause) => detached.push({ participantId, cause }),
      ...extra,
    });
    server = await startWsServer((ws: WebSocket) => {
      if (parked !== null) parked.push(ws);
      else void gate.admit(ws, nextIds.shift() ?? 'anon');
    });
  }

  beforeEach(async () => {
    inputs = 0;
    detached = [];
    nextIds = ['alice', 'bob', 'carol'];
    parked = null;
    vnc = await startFakeVnc();
  });

  afterEach(async () => {
    await gate?.stop();
    await server?.close();
    await vnc.close();
  });

  it("hands a controller's ClientCutText to onCutText and never to x11vnc", async () => {
    const cuts: Array<[string, string]> = [];
    await setup({ onCutText: (id, msg) => cuts.push([id, decodeClientCutText(msg) ?? '(extended)']) });
    const client = await openClient(server.url);
    await send(client.ws, HANDSHAKE);
    await send(client.ws, encodeClientCutText('Grüße'));
    await send(client.ws, encodeKeyEvent(true, KEYSYM.a));
    const expected = Buffer.concat([HANDSHAKE, encodeKeyEvent(true, KEYSYM.a)]);
    await until(() => vnc.connections[0]?.bytes().length === expected.length, 'messages at x11vnc');
    expect(vnc.connections[0]!.bytes()).toEqual(expected);
    expect(cuts).toEqual([['alice', 'Grüße']]);
  });

  it('pipes both ways and counts input events', async () => {
    await setup();
    const client = await openClient(server.url);
    await until(() => client.receivedBytes() === 12, 'the greeting from x11vnc');
    expect(Buffer.concat(client.received).toString()).toBe('RFB 003.008\n');
    await send(client.ws, HANDSHAKE);
    await send(client.ws, encodeKeyEvent(true, KEYSYM.a));
    await send(client.ws, encodeKeyEvent(false, KEYSYM.a));
    await send(client.ws, encodePointerEvent(0, 3, 4));
    const expected = Buffer.concat([
      HANDSHAKE,
      encodeKeyEvent(true, KEYSYM.a),
      encodeKeyEvent(false, KEYSYM.a),
      encodePointerEvent(0, 3, 4),
    ]);
    await until(() => vnc.connections[0]?.bytes().length === expected.length, 'messages at x11vnc');
    expect(vnc.connections[0]!.bytes()).toEqual(expected);
    expect(inputs).toBe(3);
    expect(gate.heldState()).toEqual({
      participantId: 'alice',
      keysyms: [],
      qemuKeys: [],
      buttonMask: 0,
      x: 3,
      y: 4,
    });
  });

  it('revoke injects exactly the releases after the last whole message, then closes with the code', async () => {
    await setup();
    const client = await openClient(server.url);
    const key = encodeKeyEvent(true, KEYSYM.shiftL);
    const press = encodePointerEvent(1, 10, 20);
    // the start of a KeyEvent that never completes: it must not reach x11vnc
    await send(
      client.ws,
      Buffer.concat([HANDSHAKE, key, press, encodeKeyEvent(true, KEYSYM.a).subarray(0, 3)]),
    );
    const whole = Buffer.concat([HANDSHAKE, key, press]);
    await until(() => vnc.connections[0]?.bytes().length === whole.length, 'whole messages at x11vnc');
    expect(gate.heldState()).toMatchObject({ keysyms: [KEYSYM.shiftL], buttonMask: 1, x: 10, y: 20 });

    await gate.revoke(WS_CLOSE.controlRevoked, 'control passed to bob');
    expect(await client.closed).toEqual({ code: 4409, reason: 'control passed to bob' });
    await until(() => vnc.connections[0]!.ended, 'FIN at x11vnc');
    const releases = Buffer.concat([encodePointerEvent(0, 10, 20), encodeKeyEvent(false, KEYSYM.shiftL)]);
    expect(vnc.connections[0]!.bytes()).toEqual(Buffer.concat([whole, releases]));
    expect(gate.participantId).toBeNull();
    expect(detached).toEqual([{ participantId: 'alice', cause: 'revoked' }]);
  });

  it('admitting a second client revokes the first, whose releases land before the second connects', async () => {
    await setup();
    const first = await openClient(server.url);
    await send(first.ws, Buffer.concat([HANDSHAKE, encodeKeyEvent(true, KEYSYM.controlL)]));
    await until(() => vnc.connections[0]?.bytes().length === HANDSHAKE.length + 8, 'first client keys');
    const second = await openClient(server.url);
    expect((await first.closed).code).toBe(WS_CLOSE.controlRevoked);
    await until(() => vnc.connections.length === 2, 'second connection at x11vnc');
    expect(vnc.connections[0]!.bytes().subarray(-8)).toEqual(encodeKeyEvent(false, KEYSYM.controlL));
    await send(second.ws, Buffer.concat([HANDSHAKE, encodeKeyEvent(true, KEYSYM.a)]));
    await until(() => vnc.connections[1]!.bytes().length === HANDSHAKE.length + 8, 'second client keys');
    expect(gate.participantId).toBe('bob');
    expect(second.isClosed()).toBe(false);
  });

  it('a client admitted and replaced before its turn never reaches x11vnc', async () => {
    await setup();
    const first = await openClient(server.url);
    await send(first.ws, Buffer.concat([HANDSHAKE, encodeKeyEvent(true, KEYSYM.shiftL)]));
    await until(() => vnc.connections[0]?.bytes().length === HANDSHAKE.length + 8, 'first client keys');
    parked = [];
    const second = await openClient(server.url);
    const third = await openClient(server.url);
    await until(() => parked?.length === 2, 'both sockets at the server');
    const admitted = [gate.admit(parked[0]!, 'bob'), gate.admit(parked[1]!, 'carol')];
    await Promise.all(admitted);
    expect((await first.closed).code).toBe(WS_CLOSE.controlRevoked);
    expect((await second.closed).code).toBe(WS_CLOSE.controlRevoked);
    await until(() => vnc.connections.length === 2, 'third client connected');
    expect(vnc.connections[0]!.bytes().subarray(-8)).toEqual(encodeKeyEvent(false, KEYSYM.shiftL));
    expect(gate.participantId).toBe('carol');
    expect(third.isClosed()).toBe(false);
    expect(detached.map((d) => `${d.participantId}:${d.cause}`).sort()).toEqual([
      'alice:revoked',
      'bob:revoked',
    ]);
  });

  it('releases held keys when the client goes away, then ends the TCP connection', async () => {
    await setup();
    const client = await openClient(server.url);
    await send(client.ws, Buffer.concat([HANDSHAKE, encodeKeyEvent(true, KEYSYM.altL)]));
    await until(() => vnc.connections[0]?.bytes().length === HANDSHAKE.length + 8, 'key at x11vnc');
    client.ws.close();
    await until(() => vnc.connections[0]!.ended, 'FIN at x11vnc');
    expect(vnc.connections[0]!.bytes().subarray(HANDSHAKE.length + 8)).toEqual(
      encodeKeyEvent(false, KEYSYM.altL),
    );
    expect(detached).toEqual([{ participantId: 'alice', cause: 'client-closed' }]);
  });

  it('closes the client with 4503 when x11vnc drops the connection', async () => {
    await setup();
    const client = await openClient(server.url);
    await until(() => vnc.connections.length === 1, 'connection at x11vnc');
    vnc.connections[0]!.socket.destroy();
    expect((await client.closed).code).toBe(WS_CLOSE.unavailable);
    expect(detached).toEqual([{ participantId: 'alice', cause: 'server-closed' }]);
  });

  it('closes the client with 4503 when x11vnc is not listening', async () => {
    const path = vnc.path;
    await vnc.close();
    vnc = await startFakeVnc();
    await setup({}, path);
    const client = await openClient(server.url);
    expect((await client.closed).code).toBe(WS_CLOSE.unavailable);
    expect(detached).toEqual([{ participantId: 'alice', cause: 'connect-failed' }]);
  });

  it('closes with 1002 on an unknown message type, forwarding nothing of it and releasing what was held', async () => {
    await setup();
    const client = await openClient(server.url);
    await send(
      client.ws,
      Buffer.concat([HANDSHAKE, encodeKeyEvent(true, KEYSYM.shiftL), Buffer.from([99, 0, 0, 0])]),
    );
    const { code, reason } = await client.closed;
    expect(code).toBe(1002);
    expect(reason).toMatch(/unknown client message type 99/);
    await until(() => vnc.connections[0]!.ended, 'FIN at x11vnc');
    expect(vnc.connections[0]!.bytes()).toEqual(
      Buffer.concat([HANDSHAKE, encodeKeyEvent(true, KEYSYM.shiftL), encodeKeyEvent(false, KEYSYM.shiftL)]),
    );
  });

  it('refuses a security type other than None', async () => {
    await setup();
    const client = await openClient(server.url);
    await send(client.ws, Buffer.concat([Buffer.from('RFB 003.008\n'), Buffer.from([2])]));
    expect(await client.closed).toMatchObject({
      code: 1002,
      reason: expect.stringMatching(/security type 2/),
    });
  });

  it('pauses x11vnc while the browser is not reading, and loses nothing', async () => {
    await setup({ wsHighWaterBytes: 64 * 1024 });
    const client = await openClient(server.url);
    await until(() => client.receivedBytes() === 12, 'greeting');
    client.ws.pause();
    const conn = vnc.connections[0]!;
    const block = Buffer.alloc(64 * 1024, 7);
    const total = 12 + 256 * block.length; // 16 MiB: far more than socket buffers hold
    let serverBlocked = false;
    for (let i = 0; i < 256; i++) if (!conn.socket.write(block)) serverBlocked = true;
    await until(() => gate.flowState()?.serverPaused === true, 'the gate to pause the x11vnc socket');
    expect(serverBlocked).toBe(true);
    // while paused, bytes pile up at "x11vnc", not in the agent's memory
    expect(conn.socket.writableLength).toBeGreaterThan(0);
    client.ws.resume();
    await until(() => client.receivedBytes() === total, 'every byte at the browser', 20_000);
    expect(gate.flowState()?.serverPaused).toBe(false);
  });

  it('pauses the browser while x11vnc is not reading, and loses nothing', async () => {
    await setup();
    const client = await openClient(server.url);
    await until(() => vnc.connections.length === 1, 'connection at x11vnc');
    const conn = vnc.connections[0]!;
    conn.socket.pause();
    await send(client.ws, HANDSHAKE);
    // the largest message x11vnc gets (cut text stays in the agent): SetEncodings with 65535 encodings
    const bulk = Buffer.alloc(4 + 4 * 0xffff, 0);
    bulk[0] = 2;
    bulk.writeUInt16BE(0xffff, 2);
    const count = 96;
    for (let i = 0; i < count; i++) client.ws.send(bulk);
    await until(
      () => gate.flowState()?.clientPaused === true,
      'the gate to pause the browser socket',
      10_000,
    );
    conn.socket.resume();
    const total = HANDSHAKE.length + count * bulk.length;
    await until(
      () => conn.chunks.reduce((n, c) => n + c.length, 0) === total,
      'every byte at x11vnc',
      20_000,
    );
    expect(gate.flowState()?.clientPaused).toBe(false);
    expect(inputs).toBe(0);
  });
});
