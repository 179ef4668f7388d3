/** Helpers shared by the input gate's unit and integration tests (not imported by product code). */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';

/** Polls `cond` until it holds: readiness is observed, never assumed after a fixed sleep. */
export async function until(
  cond: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5000,
  everyMs = 5,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** One short TCP connect attempt: true if something listens on host:port. */
export function canConnect(port: number, host = '127.0.0.1', timeoutMs = 200): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

export interface WsTestServer {
  url: string;
  close(): Promise<void>;
}

/** A plain http server with a ws WebSocketServer, standing in for the agent's WS /input route. */
export async function startWsServer(onConnection: (ws: WebSocket) => void): Promise<WsTestServer> {
  const server = http.createServer();
  const wss = new WebSocketServer({ server });
  wss.on('connection', onConnection);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/input`,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export interface TestClient {
  ws: WebSocket;
  /** everything the server side sent, concatenated on demand */
  received: Buffer[];
  /** the same bytes, for reading them in protocol order */
  reader: ByteReader;
  receivedBytes(): number;
  closed: Promise<{ code: number; reason: string }>;
  isClosed(): boolean;
}

export async function openClient(url: string): Promise<TestClient> {
  const ws = new WebSocket(url);
  const received: Buffer[] = [];
  const reader = new ByteReader();
  let total = 0;
  let isClosed = false;
  ws.on('message', (data: Buffer) => {
    received.push(data);
    reader.push(data);
    total += data.length;
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => {
      isClosed = true;
      resolve({ code, reason: reason.toString() });
    }),
  );
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, received, reader, receivedBytes: () => total, closed, isClosed: () => isClosed };
}

export function send(ws: WebSocket, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => ws.send(data, (err) => (err ? reject(err) : resolve())));
}

export interface FakeVncConnection {
  socket: net.Socket;
  chunks: Buffer[];
  bytes(): Buffer;
  ended: boolean;
  closed: boolean;
}

export interface FakeVnc {
  /** the unix socket it listens on, as x11vnc does (-unixsock) */
  path: string;
  connections: FakeVncConnection[];
  close(): Promise<void>;
}

let fakeVncs = 0;

/** A unix socket server in place of x11vnc that records every byte the gate forwards. */
export async function startFakeVnc(greeting: Buffer | null = Buffer.from('RFB 003.008\n')): Promise<FakeVnc> {
  const connections: FakeVncConnection[] = [];
  const server = net.createServer((socket) => {
    const conn: FakeVncConnection = {
      socket,
      chunks: [],
      bytes: () => Buffer.concat(conn.chunks),
      ended: false,
      closed: false,
    };
    connections.push(conn);
    socket.on('data', (d) => conn.chunks.push(d));
    socket.on('end', () => {
      conn.ended = true;
      socket.end();
    });
    socket.on('close', () => (conn.closed = true));
    socket.on('error', () => {});
    if (greeting !== null) socket.write(greeting);
  });
  const path = join(tmpdir(), `boxroom-fake-vnc-${process.pid}-${++fakeVncs}.sock`);
  rmSync(path, { force: true });
  await new Promise<void>((r) => server.listen(path, r));
  return {
    path,
    connections,
    close: async () => {
      for (const c of connections) c.socket.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Reads exact byte counts from a stream of WebSocket messages, as an RFB client must. */
export class ByteReader {
  private chunks: Buffer[] = [];
  private length = 0;
  private waiter: (() => void) | null = null;

  push(data: Buffer): void {
    this.chunks.push(data);
    this.length += data.length;
    this.waiter?.();
  }

  async read(n: number, timeoutMs = 5000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.length < n) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out reading ${n} bytes (have ${this.length})`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.waiter = null;
    }
    const all = Buffer.concat(this.chunks);
    this.chunks = n < all.length ? [all.subarray(n)] : [];
    this.length = all.length - n;
    return all.subarray(0, n);
  }
}

/**
 * Plays the client side of an RFB 3.8 handshake with security None, as noVNC does, and returns the
 * framebuffer size from ServerInit.
 */
export async function rfbHandshake(
  ws: WebSocket,
  reader: ByteReader,
): Promise<{ width: number; height: number; name: string }> {
  const version = (await reader.read(12)).toString('latin1');
  if (!/^RFB 003\.00[78]\n$/.test(version))
    throw new Error(`unexpected server version ${JSON.stringify(version)}`);
  await send(ws, Buffer.from(version, 'latin1'));
  const count = (await reader.read(1))[0]!;
  if (count === 0) throw new Error('server refused the connection');
  const types = [...(await reader.read(count))];
  if (!types.includes(1)) throw new Error(`server does not offer security None: ${types.join(',')}`);
  await send(ws, Buffer.from([1]));
  if (version.endsWith('008\n')) {
    const result = (await reader.read(4)).readUInt32BE(0);
    if (result !== 0) throw new Error(`security result ${result}`);
  }
  await send(ws, Buffer.from([1])); // ClientInit: shared
  const init = await reader.read(24);
  const name = (await reader.read(init.readUInt32BE(20))).toString();
  return { width: init.readUInt16BE(0), height: init.readUInt16BE(2), name };
}
