import type { Logger } from '../logger.js';
import type { StateStore } from '../store/state-store.js';
import type { SingletonJob } from '../store/lease-runner.js';

const DAY_MS = 24 * 3600 * 1000;
/** Pruning is cheap and entries come slowly: every 10 minutes keeps the trail near its bounds. */
const DEFAULT_PERIOD_MS = 10 * 60 * 1000;

export interface AuditRetentionOptions {
  store: Pick<StateStore, 'pruneAudit'>;
  /** entries older than this go; 0: no age limit */
  retentionDays: number;
  /** all but the newest this many go; 0: no cap */
  maxEntries: number;
  log: Logger;
  periodMs?: number;
  now?: () => number;
}

/** Keeps the audit trail bounded (BOXROOM_AUDIT_RETENTION_DAYS, BOXROOM_AUDIT_MAX_ENTRIES): one replica prunes. */
export class AuditRetention implements SingletonJob {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly o: AuditRetentionOptions) {}

  start(): void {
    if (this.timer) return;
    void this.prune();
    this.timer = setInterval(() => void this.prune(), this.o.periodMs ?? DEFAULT_PERIOD_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass; public for tests. */
  prune(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = null));
    return this.running;
  }

  private async pass(): Promise<void> {
    const { retentionDays, maxEntries } = this.o;
    if (retentionDays <= 0 && maxEntries <= 0) return;
    const now = (this.o.now ?? Date.now)();
    const before = retentionDays > 0 ? now - retentionDays * DAY_MS : 0;
    try {
      const dropped = await this.o.store.pruneAudit(before, maxEntries);
      if (dropped > 0) this.o.log.info({ dropped, retentionDays, maxEntries }, 'audit entries pruned');
    } catch (err) {
      this.o.log.warn({ err }, 'pruning the audit trail failed: next pass tries again');
    }
  }
}
