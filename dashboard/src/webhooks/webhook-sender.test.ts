import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebhookEvent } from '@boxroom/contracts';
import { verifyWebhook } from '@boxroom/contracts/webhook';
import { WebhookSender } from './webhook-sender.js';

const SECRET = 'whsec_unit-test-secret-0123';

interface Received {
  body: string;
  headers: IncomingMessage['headers'];
}

/** A receiver on 127.0.0.1 answering with the statuses given, in turn (then 200). */
async function receiver(statuses: number[] = [], delayMs = 0) {
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      got.push({ body, headers: req.headers });
      setTimeout(() => res.writeHead(statuses.shift() ?? 200).end(), delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { got, url, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const event = (n: number): WebhookEvent => ({
  id: `r1.control.${n}`,
  type: 'room.ready',
  at: n,
  room: 'r1',
  data: {},
});

const until = async (fn: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('WebhookSender', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  function sender(
    url: string,
    logLines: string[] = [],
    o: Partial<ConstructorParameters<typeof WebhookSender>[0]> = {},
  ) {
    const s = new WebhookSender({
      url,
      secret: SECRET,
      log: pino({ level: 'debug' }, { write: (l: string) => void logLines.push(l) }),
      backoffMs: 20,
      ...o,
    });
    cleanups.push(() => s.close());
    return s;
  }

  it('POSTs each event signed, in order, without blocking emit', async () => {
    const r = await receiver([], 30);
    cleanups.push(r.close);
    const s = sender(r.url);
    const t0 = performance.now();
    for (let i = 1; i <= 3; i++) s.emit(event(i));
    expect(performance.now() - t0).toBeLessThan(20);
    await until(() => r.got.length === 3);
    expect(r.got.map((g) => (JSON.parse(g.body) as WebhookEvent).id)).toEqual([
      'r1.control.1',
      'r1.control.2',
      'r1.control.3',
    ]);
    for (const g of r.got) {
      expect(g.headers['content-type']).toBe('application/json');
      expect(g.headers['x-boxroom-event']).toBe('room.ready');
      expect(verifyWebhook(SECRET, g.body, g.headers['x-boxroom-signature'] as string)).toBe('ok');
    }
  });

  it('retries 5xx with backoff, gives up after maxAttempts, and never retries a 400', async () => {
    const r = await receiver([503, 500, 200]);
    cleanups.push(r.close);
    const s = sender(r.url, [], { maxAttempts: 3 });
    s.emit(event(1));
    await until(() => r.got.length === 3);
    const r2 = await receiver([400]);
    cleanups.push(r2.close);
    const logs: string[] = [];
    const s2 = sender(r2.url, logs, { maxAttempts: 3 });
    s2.emit(event(2));
    s2.emit(event(3));
    await until(() => r2.got.length === 2);
    await new Promise((res) => setTimeout(res, 100));
    expect(r2.got.map((g) => (JSON.parse(g.body) as WebhookEvent).id)).toEqual([
      'r1.control.2',
      'r1.control.3',
    ]);
    expect(logs.join('')).toContain('webhook not delivered');
  });

  it('times out a receiver that does not answer and retries; the secret is never logged', async () => {
    const r = await receiver([], 500);
    cleanups.push(r.close);
    const logs: string[] = [];
    const s = sender(r.url, logs, { timeoutMs: 50, maxAttempts: 2 });
    s.emit(event(1));
    await until(() => logs.some((l) => l.includes('webhook not delivered')));
    expect(r.got.length).toBe(2);
    expect(logs.join('')).not.toContain(SECRET);
  });

  it('keeps at most maxQueue events waiting, dropping the oldest', async () => {
    const logs: string[] = [];
    // Nothing listens on port 9 here: every attempt fails at once.
    const s = sender('http://127.0.0.1:9/hook', logs, { maxQueue: 2, maxAttempts: 1 });
    for (let i = 1; i <= 5; i++) s.emit(event(i));
    expect(logs.filter((l) => l.includes('oldest event dropped')).length).toBeGreaterThanOrEqual(2);
    await s.close();
  });
});
