import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WebhookEvent } from '@boxroom/contracts';
import { verifyWebhook } from '@boxroom/contracts/webhook';
import type { FileStateStore } from '../store/file-state-store.js';
import { tempFileStore } from '../testing/temp-file-store.js';
import { WebhookOutbox } from './webhook-outbox.js';
import { WebhookSender } from './webhook-sender.js';
import { until } from '../testing/until.js';

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

/** Ids still in the outbox, due or not. */
const pending = async (store: FileStateStore) =>
  (await store.dueWebhooks(1000, Number.MAX_SAFE_INTEGER)).map((e) => e.event.id);

describe('WebhookSender over the outbox', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** The outbox replicas share (the file store's serves several senders in one process alike). */
  async function newStore(): Promise<FileStateStore> {
    const { store, dispose } = await tempFileStore();
    cleanups.push(dispose);
    return store;
  }

  /** One replica: its outbox sink into the shared store, and its sender (started: it holds the lease). */
  function replica(
    store: FileStateStore,
    url: string,
    logLines: string[] = [],
    o: Partial<ConstructorParameters<typeof WebhookSender>[0]> = {},
  ) {
    const log = pino({ level: 'debug' }, { write: (l: string) => void logLines.push(l) });
    const sender = new WebhookSender({
      url,
      secret: SECRET,
      outbox: store,
      log,
      backoffMs: 20,
      pollMs: 20,
      ...o,
    });
    const sink = new WebhookOutbox(store, log, () => sender.wake());
    cleanups.push(() => sender.stop());
    return { sender, sink };
  }

  it('POSTs each event signed, in order, without blocking emit', async () => {
    const r = await receiver([], 30);
    cleanups.push(r.close);
    const store = await newStore();
    const { sender, sink } = replica(store, r.url, [], { pollMs: 60_000 });
    sender.start();
    const t0 = performance.now();
    for (let i = 1; i <= 3; i++) sink.emit(event(i));
    expect(performance.now() - t0).toBeLessThan(20);
    // woken by the emit, not by the (minute-long) poll
    await until(() => r.got.length === 3);
    expect(r.got.map((g) => (JSON.parse(g.body) as WebhookEvent).id)).toEqual([
      'r1.control.1',
      'r1.control.2',
      'r1.control.3',
    ]);
    for (const g of r.got) {
      expect(g.headers['content-type']).toBe('application/json');
      expect(g.headers['x-boxroom-event']).toBe('room.ready');
      expect(g.headers['x-boxroom-delivery']).toBe((JSON.parse(g.body) as WebhookEvent).id);
      expect(verifyWebhook(SECRET, g.body, g.headers['x-boxroom-signature'] as string)).toBe('ok');
    }
    await until(async () => (await pending(store)).length === 0);
  });

  it('retries 5xx with backoff, gives up after maxAttempts, and never retries a 400', async () => {
    const r = await receiver([503, 500, 200]);
    cleanups.push(r.close);
    const store = await newStore();
    const a = replica(store, r.url, [], { maxAttempts: 3 });
    a.sender.start();
    a.sink.emit(event(1));
    await until(() => r.got.length === 3);
    await until(async () => (await pending(store)).length === 0);
    const r2 = await receiver([400, 503, 503]);
    cleanups.push(r2.close);
    const logs: string[] = [];
    const store2 = await newStore();
    const b = replica(store2, r2.url, logs, { maxAttempts: 2 });
    b.sender.start();
    b.sink.emit(event(2));
    b.sink.emit(event(3));
    await until(() => r2.got.length === 3);
    await until(async () => (await pending(store2)).length === 0);
    await new Promise((res) => setTimeout(res, 100));
    expect(r2.got.map((g) => (JSON.parse(g.body) as WebhookEvent).id)).toEqual([
      'r1.control.2',
      'r1.control.3',
      'r1.control.3',
    ]);
    expect(logs.filter((l) => l.includes('webhook not delivered')).length).toBe(2);
  });

  it('times out a receiver that does not answer and retries; the secret is never logged', async () => {
    const r = await receiver([], 500);
    cleanups.push(r.close);
    const logs: string[] = [];
    const { sender, sink } = replica(await newStore(), r.url, logs, { timeoutMs: 50, maxAttempts: 2 });
    sender.start();
    sink.emit(event(1));
    await until(() => logs.some((l) => l.includes('webhook not delivered')));
    expect(r.got.length).toBe(2);
    expect(logs.join('')).not.toContain(SECRET);
  });

  it('replicas queue the same event once; only the running sender delivers it', async () => {
    const r = await receiver();
    cleanups.push(r.close);
    const store = await newStore();
    const a = replica(store, r.url);
    const b = replica(store, r.url);
    a.sender.start();
    a.sink.emit(event(1));
    b.sink.emit(event(1));
    b.sink.emit(event(2));
    await until(() => r.got.length === 2);
    // delivered and gone from the outbox: the same id queued later is still refused
    a.sink.emit(event(1));
    await new Promise((res) => setTimeout(res, 100));
    expect(r.got.map((g) => (JSON.parse(g.body) as WebhookEvent).id)).toEqual([
      'r1.control.1',
      'r1.control.2',
    ]);
  });

  it('a sender that takes over goes on counting attempts, with the same id, and sends nothing twice', async () => {
    const r = await receiver([503, 503]);
    cleanups.push(r.close);
    const store = await newStore();
    const a = replica(store, r.url, [], { maxAttempts: 4, backoffMs: 200 });
    const b = replica(store, r.url, [], { maxAttempts: 4, backoffMs: 20 });
    a.sender.start();
    a.sink.emit(event(1));
    await until(() => r.got.length === 1);
    await new Promise((res) => setTimeout(res, 50)); // the 503 is back, the attempt noted
    // a loses its lease while waiting to retry: b finds the attempt noted and the event due later
    await a.sender.stop();
    expect(await pending(store)).toEqual(['r1.control.1']);
    expect(await store.dueWebhooks(10, Date.now() + 1_000)).toEqual([{ event: event(1), attempts: 1 }]);
    b.sender.start();
    await until(() => r.got.length === 3);
    await until(async () => (await pending(store)).length === 0);
    await new Promise((res) => setTimeout(res, 100));
    expect(r.got.map((g) => g.headers['x-boxroom-delivery'])).toEqual([
      'r1.control.1',
      'r1.control.1',
      'r1.control.1',
    ]);
  });

  it('an event emitted while the store is away is logged as lost, not thrown', async () => {
    const store = await newStore();
    const logs: string[] = [];
    const { sink } = replica(store, 'http://127.0.0.1:9/hook', logs);
    vi.spyOn(store, 'enqueueWebhook').mockRejectedValue(new Error('connection refused'));
    expect(() => sink.emit(event(1))).not.toThrow();
    await sink.close();
    expect(logs.join('')).toContain('webhook not queued: lost');
  });
});
