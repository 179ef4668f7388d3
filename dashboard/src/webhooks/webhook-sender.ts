import { setTimeout as sleep } from 'node:timers/promises';
import { WEBHOOK_SIGNATURE_HEADER, type WebhookEvent } from '@boxroom/contracts';
import { signWebhook } from '@boxroom/contracts/webhook';
import type { Logger } from '../logger.js';
import type { SingletonJob } from '../store/lease-runner.js';
import type { OutboxEntry, StateStore } from '../store/state-store.js';

export interface WebhookSenderOptions {
  url: string;
  /** HMAC key; never logged */
  secret: string;
  /** where every replica queues events (WebhookOutbox) */
  outbox: Pick<StateStore, 'dueWebhooks' | 'finishWebhook' | 'retryWebhook'>;
  log: Logger;
  /** per attempt */
  timeoutMs?: number;
  /** attempts per event, the first included */
  maxAttempts?: number;
  /** wait before the 2nd attempt; doubles each time, capped at maxBackoffMs */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** how often the outbox is read for events other replicas queued (this one's wake the sender) */
  pollMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

const DEFAULTS = {
  timeoutMs: 5_000,
  maxAttempts: 5,
  backoffMs: 1_000,
  maxBackoffMs: 30_000,
  pollMs: 1_000,
};

/** Events read from the outbox at once. */
const BATCH = 50;

/** 4xx answers mean the receiver refuses this event: retrying cannot help, except for these. */
const RETRYABLE_4XX = new Set([408, 425, 429]);

type Outcome = 'done' | 'retry' | 'refused';

/**
 * POSTs the events of the store's outbox to the webhook URL, signed (X-Boxroom-Signature, see
 * docs/webhooks.md), one at a time, oldest first. A singleton job: only the replica holding the
 * `webhooks` lease runs it, so each event goes out from one place. Failed deliveries are retried with
 * exponential backoff a bounded number of times, then dropped with a warning; every attempt is
 * written to the outbox first, so a replica that takes over goes on counting, with the same event id.
 * An event leaves the outbox when delivered or given up.
 */
export class WebhookSender implements SingletonJob {
  private readonly o: Required<Omit<WebhookSenderOptions, 'log' | 'outbox'>> &
    Pick<WebhookSenderOptions, 'log' | 'outbox'>;
  private running: Promise<void> | null = null;
  private stopping = new AbortController();
  private wakeUp: (() => void) | null = null;
  private woken = false;

  constructor(opts: WebhookSenderOptions) {
    this.o = { ...DEFAULTS, fetch: globalThis.fetch, now: Date.now, ...opts };
  }

  start(): void {
    if (this.running) return;
    this.stopping = new AbortController();
    const signal = this.stopping.signal;
    this.running = this.loop(signal)
      .catch((err: unknown) => this.o.log.error({ err }, 'webhook sender failed'))
      .finally(() => {
        this.running = null;
      });
  }

  /** Ends the attempt in flight (the next holder sends that event again, same id) and the loop. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.wakeUp?.();
    await this.running;
  }

  /** An event was queued here: read the outbox now instead of at the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private async loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      this.woken = false;
      let due: OutboxEntry[] = [];
      try {
        due = await this.o.outbox.dueWebhooks(BATCH, this.o.now());
      } catch (err) {
        this.o.log.warn({ err }, 'could not read the webhook outbox');
      }
      for (const entry of due) {
        if (signal.aborted) return;
        await this.deliver(entry, signal);
      }
      if (due.length < BATCH && !this.woken) await this.idle(signal);
    }
  }

  /** Sleeps pollMs, or until wake() or stop(). */
  private idle(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
      timer = setTimeout(done, this.o.pollMs);
      this.wakeUp = done;
      if (signal.aborted) done();
    });
  }

  private async deliver(entry: OutboxEntry, signal: AbortSignal): Promise<void> {
    const { event } = entry;
    const body = JSON.stringify(event);
    for (let attempts = entry.attempts + 1; ; attempts++) {
      const outcome = await this.attempt(event, body, signal);
      if (signal.aborted) return; // not counted: the next holder tries it again
      if (outcome === 'done') {
        await this.finish(event);
        return;
      }
      if (outcome === 'refused' || attempts >= this.o.maxAttempts) {
        this.o.log.warn({ event: event.id, type: event.type, attempts }, 'webhook not delivered: dropped');
        await this.finish(event);
        return;
      }
      const wait = Math.min(this.o.backoffMs * 2 ** (attempts - 1), this.o.maxBackoffMs);
      try {
        await this.o.outbox.retryWebhook(event.id, attempts, this.o.now() + wait);
        await sleep(wait, undefined, { signal });
      } catch (err) {
        if (!signal.aborted)
          this.o.log.warn({ err, event: event.id }, 'could not note a failed webhook attempt');
        return; // stopping, or the store is away: the outbox still has the event
      }
    }
  }

  /** Out of the outbox; if the store fails here, the event is sent again later (same id). */
  private async finish(event: WebhookEvent): Promise<void> {
    await this.o.outbox
      .finishWebhook(event.id)
      .catch((err: unknown) => this.o.log.warn({ err, event: event.id }, 'could not mark a webhook sent'));
  }

  private async attempt(event: WebhookEvent, body: string, signal: AbortSignal): Promise<Outcome> {
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
        signal: AbortSignal.any([AbortSignal.timeout(this.o.timeoutMs), signal]),
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
