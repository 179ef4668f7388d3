import { setTimeout as sleep } from 'node:timers/promises';
import { WEBHOOK_SIGNATURE_HEADER, type WebhookEvent } from '@boxroom/contracts';
import { signWebhook } from '@boxroom/contracts/webhook';
import type { Logger } from '../logger.js';
import type { WebhookSink } from './webhook-sink.js';

export interface WebhookSenderOptions {
  url: string;
  /** HMAC key; never logged */
  secret: string;
  log: Logger;
  /** per attempt */
  timeoutMs?: number;
  /** attempts per event, the first included */
  maxAttempts?: number;
  /** wait before the 2nd attempt; doubles each time, capped at maxBackoffMs */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** events waiting beyond this are dropped, oldest first: a dead receiver must not grow memory */
  maxQueue?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

const DEFAULTS = {
  timeoutMs: 5_000,
  maxAttempts: 5,
  backoffMs: 1_000,
  maxBackoffMs: 30_000,
  maxQueue: 1_000,
};

/** 4xx answers mean the receiver refuses this event: retrying cannot help, except for these. */
const RETRYABLE_4XX = new Set([408, 425, 429]);

/**
 * POSTs events to the webhook URL, signed (X-Boxroom-Signature, see docs/webhooks.md), one at a
 * time in the order they happened, off the request path: `emit` only queues. Failed deliveries are
 * retried with exponential backoff a bounded number of times, then dropped with a warning.
 */
export class WebhookSender implements WebhookSink {
  readonly enabled = true;
  private readonly queue: WebhookEvent[] = [];
  private readonly o: Required<Omit<WebhookSenderOptions, 'log'>> & { log: Logger };
  private running: Promise<void> | null = null;
  private readonly stop = new AbortController();

  constructor(opts: WebhookSenderOptions) {
    this.o = { ...DEFAULTS, fetch: globalThis.fetch, now: Date.now, ...opts };
  }

  emit(event: WebhookEvent): void {
    if (this.stop.signal.aborted) return;
    this.queue.push(event);
    if (this.queue.length > this.o.maxQueue) {
      const dropped = this.queue.shift()!;
      this.o.log.warn({ event: dropped.id, type: dropped.type }, 'webhook queue full: oldest event dropped');
    }
    // Start on a later turn of the event loop: even fetch's synchronous setup stays off the caller.
    this.running ??= new Promise<void>((r) => setImmediate(r))
      .then(() => this.drain())
      .finally(() => {
        this.running = null;
      });
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.running;
  }

  private async drain(): Promise<void> {
    for (let event = this.queue.shift(); event; event = this.queue.shift()) {
      if (this.stop.signal.aborted) return;
      await this.deliver(event);
    }
  }

  private async deliver(event: WebhookEvent): Promise<void> {
    const body = JSON.stringify(event);
    let wait = this.o.backoffMs;
    for (let attempt = 1; attempt <= this.o.maxAttempts; attempt++) {
      const outcome = await this.attempt(event, body);
      if (outcome === 'done') return;
      if (outcome === 'refused' || attempt === this.o.maxAttempts) break;
      try {
        await sleep(wait, undefined, { signal: this.stop.signal });
      } catch {
        return; // closing
      }
      wait = Math.min(wait * 2, this.o.maxBackoffMs);
    }
    this.o.log.warn({ event: event.id, type: event.type }, 'webhook not delivered: dropped');
  }

  private async attempt(event: WebhookEvent, body: string): Promise<'done' | 'retry' | 'refused'> {
    try {
      const res = await this.o.fetch(this.o.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'boxroom-webhook/1',
          'x-boxroom-event': event.type,
          'x-boxroom-delivery': event.id,
          // Signed per attempt, so a retry carries a fresh timestamp within the receiver's tolerance.
          [WEBHOOK_SIGNATURE_HEADER]: signWebhook(this.o.secret, body, this.o.now()),
        },
        body,
        signal: AbortSignal.any([AbortSignal.timeout(this.o.timeoutMs), this.stop.signal]),
      });
      await res.body?.cancel().catch(() => undefined);
      if (res.ok) {
        this.o.log.debug({ event: event.id, type: event.type, status: res.status }, 'webhook delivered');
        return 'done';
      }
      this.o.log.info({ event: event.id, status: res.status }, 'webhook receiver answered with an error');
      return res.status < 500 && !RETRYABLE_4XX.has(res.status) ? 'refused' : 'retry';
    } catch (err) {
      // The URL may carry credentials in its query: log the cause's message only.
      this.o.log.info({ event: event.id, cause: (err as Error).message }, 'webhook attempt failed');
      return 'retry';
    }
  }
}
