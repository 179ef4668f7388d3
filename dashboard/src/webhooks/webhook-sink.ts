import type { WebhookEvent } from '@boxroom/contracts';

/** Where room and control events go. Emitting never blocks and never throws. */
export interface WebhookSink {
  readonly enabled: boolean;
  emit(event: WebhookEvent): void;
  /** stop sending; resolves when in-flight attempts ended */
  close(): Promise<void>;
}

/** No BOXROOM_WEBHOOK_URL: events go nowhere. */
export const NO_WEBHOOKS: WebhookSink = {
  enabled: false,
  emit: () => {},
  close: async () => {},
};
