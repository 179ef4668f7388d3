import type { WebhookEvent } from '@boxroom/contracts';
import type { Logger } from '../logger.js';
import { SerialQueue } from '../store/atomic-json.js';
import type { StateStore } from '../store/state-store.js';
import type { WebhookSink } from './webhook-sink.js';

/**
 * The sink every replica emits into: events go to the store's outbox, where the one replica running
 * the WebhookSender (the `webhooks` lease) finds them. Event ids are derived from what happened, so
 * when two replicas see the same thing (a room becoming ready) the store keeps the first and refuses
 * the second. Emitting stays synchronous and never throws; events are queued in the order emitted.
 */
export class WebhookOutbox implements WebhookSink {
  readonly enabled = true;
  private readonly writes = new SerialQueue();
  private closed = false;

  constructor(
    private readonly store: Pick<StateStore, 'enqueueWebhook'>,
    private readonly log: Logger,
    /** an event was queued: the local sender, if it runs here, need not wait for its next poll */
    private readonly queued: () => void = () => {},
  ) {}

  emit(event: WebhookEvent): void {
    if (this.closed) {
      // a request still in flight while the dashboard stops: the store is closing, say what is lost
      this.log.warn({ event: event.id, type: event.type }, 'webhook emitted after close: not queued');
      return;
    }
    void this.writes
      .run(() => this.store.enqueueWebhook(event))
      .then(
        (fresh) => {
          if (fresh) this.queued();
          else this.log.debug({ event: event.id }, 'webhook queued before (another replica): not again');
        },
        (err: unknown) =>
          this.log.error({ err, event: event.id, type: event.type }, 'webhook not queued: lost'),
      );
  }

  /** Refuses further events; resolves once those emitted so far are in the store. */
  async close(): Promise<void> {
    this.closed = true;
    await this.writes.run(async () => undefined);
  }
}
