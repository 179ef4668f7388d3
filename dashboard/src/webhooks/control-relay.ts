import type { ControlChange } from '@boxroom/contracts';
import type { Logger } from '../logger.js';
import { roomEvents } from './room-events.js';
import type { WebhookSink } from './webhook-sink.js';

/**
 * Turns the lease changes an agent reports in GET /state into `control.changed` webhooks, each
 * once. The agent keeps the changes; the dashboard relays them, so the webhook secret never enters
 * a room (apps there run as the agent's user and could read its environment).
 */
export class ControlRelay {
  private readonly lastSeq = new Map<string, number>();

  constructor(
    private readonly sink: WebhookSink,
    private readonly log: Logger,
  ) {}

  get active(): boolean {
    return this.sink.enabled;
  }

  /** Ask the agent for changes after this seq. */
  since(room: string): number {
    return this.lastSeq.get(room) ?? 0;
  }

  relay(room: string, changes: readonly ControlChange[]): void {
    let last = this.lastSeq.get(room) ?? 0;
    const fresh = changes.filter((c) => c.seq > last).sort((a, b) => a.seq - b.seq);
    if (fresh.length === 0) return;
    if (last > 0 && fresh[0]!.seq > last + 1) {
      this.log.warn({ room, from: last + 1, to: fresh[0]!.seq - 1 }, 'control changes lost between polls');
    }
    for (const c of fresh) {
      this.sink.emit(roomEvents.control(room, c));
      last = c.seq;
    }
    this.lastSeq.set(room, last);
  }

  forget(room: string): void {
    this.lastSeq.delete(room);
  }
}
