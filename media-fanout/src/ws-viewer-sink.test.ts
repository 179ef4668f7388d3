import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { FanoutLogger } from './fanout-logger.js';
import type { FlvTagSource } from './flv-tag-source.js';
import { StreamFanout } from './stream-fanout.js';
import { LAG_PING_INTERVAL_MS, WsViewerSink } from './ws-viewer-sink.js';

const logger: FanoutLogger = { child: () => logger, debug: () => {}, info: () => {} };

class Source implements FlvTagSource {
  listener: ((tag: Buffer) => void) | null = null;
  forEachJoinBuffer(fn: (buf: Buffer) => void): void {
    fn(tagOf(0, 13));
  }
  setTagListener(fn: ((tag: Buffer) => void) | null): void {
    this.listener = fn;
  }
}

/** A script-data tag (always sent) of `size` bytes, told apart by its fill. */
function tagOf(n: number, size: number): Buffer {
  const b = Buffer.alloc(size, n);
  b[0] = 18;
  return b;
}

interface Client {
  ws: WebSocket;
  messages: Buffer[];
  pings: number;
  closed: Promise<{ code: number; reason: string }>;
}

const servers: Array<WebSocketServer | Server> = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** A self-signed certificate for 127.0.0.1: the dashboard serves its viewers over TLS itself. */
let cert: { cert: Buffer; key: Buffer };
let certDir = '';
beforeAll(() => {
  certDir = mkdtempSync(join(tmpdir(), 'ws-sink-tls-'));
  const [key, crt] = [join(certDir, 'key.pem'), join(certDir, 'cert.pem')];
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
      ...['-keyout', key, '-out', crt, '-days', '1', '-subj', '/CN=127.0.0.1'],
      ...['-addext', 'subjectAltName=IP:127.0.0.1'],
    ],
    { stdio: 'ignore' },
  );
  cert = { cert: readFileSync(crt), key: readFileSync(key) };
});
afterAll(() => rmSync(certDir, { recursive: true, force: true }));

/** A real server and client over loopback; `deflate`: permessage-deflate negotiated; `tls`: wss. */
async function connect(deflate: boolean, tls = false): Promise<{ server: WebSocket; client: Client }> {
  let wss: WebSocketServer;
  let url: string;
  if (tls) {
    const https = createServer(cert);
    servers.push(https);
    await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
    wss = new WebSocketServer({ server: https, perMessageDeflate: deflate });
    url = `wss://127.0.0.1:${(https.address() as AddressInfo).port}`;
  } else {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: deflate });
    await new Promise((r) => wss.once('listening', r));
    url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  }
  servers.unshift(wss);
  const accepted = new Promise<WebSocket>((r) => wss.once('connection', r));
  const ws = new WebSocket(url, { perMessageDeflate: deflate, ca: cert.cert });
  const client: Client = {
    ws,
    messages: [],
    pings: 0,
    closed: new Promise((r) => ws.once('close', (code, reason) => r({ code, reason: String(reason) }))),
  };
  // a text message (a wrong opcode) shows up as a mismatch
  ws.on('message', (data: Buffer, binary) => client.messages.push(binary ? data : Buffer.from('text')));
  ws.on('ping', () => (client.pings += 1));
  await new Promise((r) => ws.once('open', r));
  const server = await accepted;
  expect(server.extensions === '').toBe(!deflate);
  expect((server as unknown as { _socket: unknown })._socket instanceof TLSSocket).toBe(tls);
  return { server, client };
}

describe('WsViewerSink with the fan-out, over real sockets', () => {
  it.each([
    ['frames written to the socket directly', false, false],
    ['frames written to a TLS socket directly', false, true],
    ['ws.send, permessage-deflate negotiated', true, false],
  ])(
    "every message arrives whole and in order beside ws's own pings and close (%s)",
    async (_, deflate, tls) => {
      const src = new Source();
      const fan = new StreamFanout(src, { maxBacklogBytes: 64 * 1024 * 1024, logger });
      const { server, client } = await connect(deflate, tls);
      fan.attachWs(server);
      const tags = [tagOf(1, 100), tagOf(2, 125), tagOf(3, 126), tagOf(4, 70_000), tagOf(5, 300)];
      // one turn: three tags and a ping between them (ws writes the ping while the socket is corked)
      src.listener!(tags[0]!);
      server.ping();
      src.listener!(tags[1]!);
      src.listener!(tags[2]!);
      await new Promise((r) => setImmediate(r));
      src.listener!(tags[3]!);
      server.ping();
      await new Promise((r) => setImmediate(r));
      src.listener!(tags[4]!);
      fan.close(4504, 'room failed');
      src.listener?.(tagOf(6, 50)); // detached: never sent
      const closed = await client.closed;
      expect(closed).toEqual({ code: 4504, reason: 'room failed' });
      expect(client.pings).toBe(2);
      expect(client.messages).toEqual([tagOf(0, 13), ...tags]);
    },
  );

  it.each([
    ['plain', false],
    ['TLS', true],
  ])(
    'a slow viewer is closed with 4408 after what it was sent, not in the middle of a frame (%s)',
    async (_, tls) => {
      const src = new Source();
      const fan = new StreamFanout(src, { maxBacklogBytes: 256 * 1024, logger });
      const { server, client } = await connect(false, tls);
      client.ws.pause(); // reads nothing: the backlog grows in the server's socket
      fan.attachWs(server);
      for (let i = 0; i < 400 && fan.viewerCount(); i++) {
        src.listener!(tagOf(i % 200, 60_000));
        await new Promise((r) => setImmediate(r));
      }
      expect(fan.droppedCount()).toBe(1);
      client.ws.resume();
      const closed = await client.closed;
      expect(closed.code).toBe(4408);
      for (const m of client.messages) expect(m.length === 13 || m.length === 60_000).toBe(true);
    },
  );

  it('tells how far behind a reader is by pings that wait behind the data, in the kernel too', async () => {
    const { server, client } = await connect(false);
    const sink = new WsViewerSink(server);
    // the sink's own pongs (12 bytes: its tag and the time), not the one the test sends itself
    const pongs = () =>
      new Promise<void>((resolve) => {
        const seen = (data: Buffer) => {
          if (data.length !== 12) return;
          server.off('pong', seen);
          resolve();
        };
        server.on('pong', seen);
      });
    let answered = pongs();
    expect(sink.lagMs()).toBe(0); // pings; no answer yet
    await answered;
    expect(sink.lagMs()).toBe(0); // the fastest round trip is the link's own: nothing beyond it

    client.ws.pause(); // reads nothing: what is sent waits in the kernel's buffers and then this socket's
    const chunk = Buffer.alloc(64 * 1024, 9);
    for (let i = 0; i < 128; i++) sink.write(chunk);
    await new Promise((r) => setTimeout(r, LAG_PING_INTERVAL_MS));
    answered = pongs();
    expect(sink.lagMs()).toBeLessThan(50); // a ping out behind 8 MiB, just sent
    await new Promise((r) => setTimeout(r, 600));
    expect(sink.lagMs()).toBeGreaterThanOrEqual(400); // ...and not answered (600 ms less the link's trip)
    client.ws.pong(Buffer.from('not ours')); // a pong without the sink's tag changes nothing
    await new Promise((r) => setTimeout(r, 50));
    expect(sink.lagMs()).toBeGreaterThanOrEqual(450);

    client.ws.resume();
    await answered;
    answered = pongs();
    // the answer came: it took all that (and this sends the next ping, the last being 650 ms ago)
    expect(sink.lagMs()).toBeGreaterThanOrEqual(450);
    await answered; // that ping's pong, on a link that has caught up
    expect(sink.lagMs()).toBeLessThan(250);
    client.ws.close();
  }, 15_000);
});
