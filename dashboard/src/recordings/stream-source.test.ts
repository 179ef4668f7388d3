import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { until } from '../testing/until.js';
import { StreamSource } from './stream-source.js';

const log = pino({ level: 'silent' });

describe('StreamSource', () => {
  let server: Server | null = null;
  let source: StreamSource | null = null;
  const open = new Set<ServerResponse>();

  afterEach(async () => {
    await source?.stop();
    source = null;
    for (const res of open) res.destroy();
    open.clear();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    server = null;
  });

  /** An agent whose /stream.flv writes `connection <n>` and stays open. */
  async function agent(): Promise<{ url: string; connections: () => number }> {
    let n = 0;
    server = createServer((req, res) => {
      n++;
      open.add(res);
      res.writeHead(200, { 'content-type': 'video/x-flv' });
      res.write(`connection ${n}`);
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, connections: () => n };
  }

  it('reconnect() drops the current connection and the next one goes on delivering', async () => {
    const a = await agent();
    const got: string[] = [];
    let connected = 0;
    source = new StreamSource(
      { agentUrl: async () => a.url, token: async () => 't' },
      {
        connected: () => connected++,
        data: (chunk) => {
          got.push(chunk.toString());
          // the first connection's bytes cannot be read (the recorder's reaction to a bad chunk)
          if (chunk.toString() === 'connection 1') source!.reconnect();
        },
        gone: () => undefined,
      },
      log,
    );
    source.start();
    await until(() => got.includes('connection 2'));
    expect(a.connections()).toBe(2);
    expect(connected).toBe(2);
  });

  it('pause() without a connection still hands over its resume (the caller is not left paused)', () => {
    source = new StreamSource(
      { agentUrl: async () => null, token: async () => 't' },
      { connected: () => undefined, data: () => undefined, gone: () => undefined },
      log,
    );
    let handed = false;
    source.pause((resume) => {
      handed = true;
      resume();
    });
    expect(handed).toBe(true);
  });
});
