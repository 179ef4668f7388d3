import type { WebhookEvent } from '@boxroom/contracts';
import type {
  InviteGenerations,
  InviteRole,
  OutboxEntry,
  RoomRightsEntry,
  StateStore,
  StoreChange,
} from '../store/state-store.js';

interface Queued extends OutboxEntry {
  nextAtMs: number;
  order: number;
}

/**
 * A StateStore in memory, for unit tests: one instance shared by several services (or two apps)
 * plays the part of the database replicas share. Changes are announced on a later turn, as a real
 * store's would be. `now` drives lease expiry.
 */
export class MemoryStateStore implements StateStore {
  readonly kind = 'file' as const;
  private invites: InviteGenerations = {};
  private rights: Record<string, RoomRightsEntry> = {};
  private readonly leases = new Map<string, { holder: string; untilMs: number }>();
  private readonly outbox = new Map<string, Queued>();
  /** every id ever queued: an id comes in once, even after it was delivered */
  private readonly seen = new Set<string>();
  private readonly listeners = new Set<(change: StoreChange) => void>();
  private order = 0;
  /** set to make every call fail (a store that went away) */
  failing: Error | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  async open(): Promise<void> {}
  async close(): Promise<void> {
    this.listeners.clear();
  }

  async loadInviteGenerations(): Promise<InviteGenerations> {
    this.check();
    return structuredClone(this.invites);
  }

  async bumpInviteGeneration(room: string, role: InviteRole): Promise<number> {
    this.check();
    const next = (this.invites[room]?.[role] ?? 0) + 1;
    this.invites[room] = { ...this.invites[room], [role]: next };
    this.changed({ kind: 'invites', room });
    return next;
  }

  async loadRights(): Promise<Record<string, RoomRightsEntry>> {
    this.check();
    return structuredClone(this.rights);
  }

  async kick(room: string, participantId: string, untilS: number, nowS: number): Promise<void> {
    this.check();
    const e = this.entry(room);
    e.kicked = Object.fromEntries(
      Object.entries({ ...e.kicked, [participantId]: untilS }).filter(([, until]) => until >= nowS),
    );
    if (Object.keys(e.kicked).length === 0 && Object.keys(e.revokedBefore).length === 0)
      delete this.rights[room];
    this.changed({ kind: 'rights', room });
  }

  async revokeBefore(room: string, role: InviteRole, beforeS: number): Promise<void> {
    this.check();
    const e = this.entry(room);
    e.revokedBefore[role] = Math.max(beforeS, e.revokedBefore[role] ?? 0);
    this.changed({ kind: 'rights', room });
  }

  async forgetRoom(room: string): Promise<void> {
    this.check();
    delete this.invites[room];
    delete this.rights[room];
    this.changed({ kind: 'invites', room });
    this.changed({ kind: 'rights', room });
  }

  onChange(listener: (change: StoreChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    this.check();
    const l = this.leases.get(name);
    if (l && l.holder !== holder && l.untilMs > this.now()) return false;
    this.leases.set(name, { holder, untilMs: this.now() + ttlMs });
    return true;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    this.check();
    if (this.leases.get(name)?.holder === holder) this.leases.delete(name);
  }

  /** who holds the lease now, if anyone */
  leaseHolder(name: string): string | null {
    const l = this.leases.get(name);
    return l && l.untilMs > this.now() ? l.holder : null;
  }

  async enqueueWebhook(event: WebhookEvent): Promise<boolean> {
    this.check();
    if (this.seen.has(event.id)) return false;
    this.seen.add(event.id);
    this.outbox.set(event.id, { event, attempts: 0, nextAtMs: 0, order: this.order++ });
    return true;
  }

  async dueWebhooks(limit: number, nowMs: number): Promise<OutboxEntry[]> {
    this.check();
    return [...this.outbox.values()]
      .filter((q) => q.nextAtMs <= nowMs)
      .sort((a, b) => a.order - b.order)
      .slice(0, limit)
      .map((q) => ({ event: q.event, attempts: q.attempts }));
  }

  async finishWebhook(id: string): Promise<void> {
    this.check();
    this.outbox.delete(id);
  }

  async retryWebhook(id: string, attempts: number, nextAtMs: number): Promise<void> {
    this.check();
    const q = this.outbox.get(id);
    if (q) Object.assign(q, { attempts, nextAtMs });
  }

  /** ids still waiting in the outbox */
  pendingWebhooks(): string[] {
    return [...this.outbox.keys()];
  }

  private entry(room: string): RoomRightsEntry {
    this.rights[room] ??= { kicked: {}, revokedBefore: {} };
    return this.rights[room];
  }

  private changed(change: StoreChange): void {
    setImmediate(() => {
      for (const l of this.listeners) {
        try {
          l(change);
        } catch {
          // one listener's bug does not silence the others
        }
      }
    });
  }

  private check(): void {
    if (this.failing) throw this.failing;
  }
}
