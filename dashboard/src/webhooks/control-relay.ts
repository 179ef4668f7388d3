import type { AuditActor, ControlChange, Presence } from '@boxroom/contracts';
import type { AuditLog } from '../audit/audit-log.js';
import type { Logger } from '../logger.js';
import { roomEvents } from './room-events.js';
import type { WebhookSink } from './webhook-sink.js';

/**
 * Turns the lease changes an agent reports in GET /state into `control.changed` webhooks and
 * `control.change` audit entries, each once. The agent keeps the changes; the dashboard relays them,
 * so the webhook secret never enters a room (apps there run as the agent's user and could read its
 * environment). Replicas that relay the same change (a reaper lease taken over) write one audit entry:
 * its key is the webhook's id.
 */
export class ControlRelay {
  private readonly lastSeq = new Map<string, number>();

  constructor(
    private readonly sink: WebhookSink,
    private readonly log: Logger,
    private readonly audit?: AuditLog,
  ) {}

  get active(): boolean {
    return this.sink.enabled || this.audit !== undefined;
  }

  /** Ask the agent for changes after this seq. */
  since(room: string): number {
    return this.lastSeq.get(room) ?? 0;
  }

  /** `present`: who the agent has in the room now (names the actor of a change). */
  async relay(
    room: string,
    changes: readonly ControlChange[],
    present: readonly Presence[] = [],
  ): Promise<void> {
    const last = this.lastSeq.get(room) ?? 0;
    const fresh = changes.filter((c) => c.seq > last).sort((a, b) => a.seq - b.seq);
    if (fresh.length === 0) return;
    if (last > 0 && fresh[0]!.seq > last + 1) {
      this.log.warn({ room, from: last + 1, to: fresh[0]!.seq - 1 }, 'control changes lost between polls');
    }
    // marked relayed first: a sweep that overlaps this one's audit writes relays nothing twice
    this.lastSeq.set(room, fresh[fresh.length - 1]!.seq);
    for (const c of fresh) {
      const event = roomEvents.control(room, c);
      if (this.sink.enabled) this.sink.emit(event);
      if (this.audit) await this.record(room, c, event.id, present);
    }
  }

  forget(room: string): void {
    this.lastSeq.delete(room);
  }

  private async record(room: string, c: ControlChange, key: string, present: readonly Presence[]) {
    const audit = this.audit!;
    await audit.record(
      await this.actorOf(room, c, present),
      'control.change',
      room,
      'ok',
      {
        seq: c.seq,
        reason: c.reason,
        by: c.by,
        holder: c.state.holder?.id ?? null,
        holderName: c.state.holder?.name ?? null,
        locked: c.state.locked,
      },
      key,
    );
  }

  /**
   * Who caused the change: nobody (a timer) is the system; otherwise whoever the state or the room's
   * presence names, else the actor the trail knows by that id in this room (a participant's join, an
   * account's create), else the id alone.
   */
  private async actorOf(
    room: string,
    c: ControlChange,
    present: readonly Presence[],
  ): Promise<AuditActor | 'system'> {
    if (c.by === null) return 'system';
    const ref = [c.state.holder, ...c.state.queue, ...present].find((r) => r?.id === c.by);
    if (ref) return { id: ref.id, name: ref.name, role: ref.role };
    return (await this.audit!.known(room, c.by)) ?? { id: c.by, name: c.by, role: 'participant' };
  }
}
