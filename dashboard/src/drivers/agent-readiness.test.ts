import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitAgentReady } from './agent-readiness.js';

/** An agent stand-in: ready at `readyAt`; honours ?wait= when `holds`, as the real agent does. */
function agent(readyAt: number, holds: boolean) {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const wait = Number(new URL(req.url ?? '/', 'http://a').searchParams.get('wait')) || 0;
    const untilReady = readyAt - Date.now();
    const hold = holds ? Math.max(0, Math.min(wait, untilReady)) : 0;
    setTimeout(() => {
      // a timer may fire a millisecond before Date.now() reaches readyAt: held until ready is ready
      const ok = Date.now() >= readyAt || (hold > 0 && hold === untilReady);
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: ok ? 'ok' : 'starting', room: 'r1' }));
    }, hold);
  });
  return { server, requests };
}

const listen = (server: Server, port = 0) =>
  new Promise<string>((resolve) =>
    server.listen(port, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );

describe('waitAgentReady', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  });

  it('answers the moment the agent is ready: one plain request, then one held', async () => {
    const readyAt = Date.now() + 300;
    const a = agent(readyAt, true);
    servers.push(a.server);
    const url = await listen(a.server);
    await waitAgentReady({ url: () => url, signal: AbortSignal.timeout(5000) });
    expect(Date.now() - readyAt).toBeLessThan(100);
    expect(a.requests).toEqual(['/healthz', '/healthz?wait=5000']);
  });

  it('gives up on a first request that hangs (a port proxy whose container is not up yet)', async () => {
    const a = agent(0, true);
    servers.push(a.server);
    let hung = false;
    // the first request is never answered, as Docker's proxy stalls while its own connect retries
    a.server.prependListener('request', (req) => {
      if (!hung) {
        hung = true;
        req.socket.pause();
        a.server.removeAllListeners('request');
        a.server.on('request', (_q, res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ status: 'ok' }));
        });
      }
    });
    const url = await listen(a.server);
    const t0 = Date.now();
    await waitAgentReady({ url: () => url, signal: AbortSignal.timeout(5000) });
    expect(hung).toBe(true);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('keeps trying while nothing listens yet, and without an address', async () => {
    // a port that is free now and taken in 200 ms
    const probe = createServer();
    const port = Number(new URL(await listen(probe)).port);
    await new Promise((r) => probe.close(r));
    const a = agent(0, true);
    servers.push(a.server);
    let calls = 0;
    const t0 = Date.now();
    setTimeout(() => void listen(a.server, port), 200);
    await waitAgentReady({
      url: () => (++calls < 3 ? null : `http://127.0.0.1:${port}`),
      signal: AbortSignal.timeout(5000),
      retryMs: 20,
    });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
    expect(calls).toBeGreaterThan(3);
  });

  it('an agent that answers at once (no ?wait=) is asked again every retryMs, not in a tight loop', async () => {
    const readyAt = Date.now() + 250;
    const a = agent(readyAt, false);
    servers.push(a.server);
    const url = await listen(a.server);
    await waitAgentReady({ url: () => url, signal: AbortSignal.timeout(5000), retryMs: 50 });
    expect(a.requests.length).toBeGreaterThanOrEqual(3);
    expect(a.requests.length).toBeLessThanOrEqual(8);
  });

  it('rejects with the reason when aborted', async () => {
    const a = agent(Date.now() + 60_000, true);
    servers.push(a.server);
    const url = await listen(a.server);
    const stop = new AbortController();
    setTimeout(() => stop.abort(new Error('room deleted')), 100);
    await expect(waitAgentReady({ url: () => url, signal: stop.signal })).rejects.toThrow('room deleted');
  });
});
