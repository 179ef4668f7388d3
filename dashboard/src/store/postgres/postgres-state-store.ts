import type { Account, AuditEntry, TemplateDefinition, WebhookEvent } from '@boxroom/contracts';
import type { Logger } from '../../logger.js';
import type { AuditFilter, NewAuditEntry } from '../audit-entry.js';
import { ChangeListeners } from '../change-listeners.js';
import type { ProfileEntry, ProfileLease } from '../profile-entry.js';
import type { QuotaOverrides, RoomUsageEntry } from '../quota-entry.js';
import { mergeRecordingWrite, type RecordingEntry } from '../recording-entry.js';
import type {
  ApiTokenEntry,
  InviteGenerations,
  InviteRole,
  OutboxEntry,
  RoomLiveSettings,
  RoomRightsEntry,
  StateStore,
  StoreChange,
} from '../state-store.js';
import { ChangeFeed } from './change-feed.js';
import { redactDatabaseUrl } from './database-url.js';
import { applyMigrations } from './migrate.js';
import { PgAccounts } from './pg-accounts.js';
import { PgAudit } from './pg-audit.js';
import { PgTemplates } from './pg-templates.js';
import { PgPoolClaims } from './pg-pool-claims.js';
import type { PoolClaim } from '../pool-claim-entry.js';
import { notifyChange, PgDatabase } from './pg-database.js';
import { PostgresQuotas } from './postgres-quotas.js';

/** Finished webhooks are kept this long, so that a late replica queueing the same event is refused. */
const FINISHED_WEBHOOK_KEEP = '1 day';

/**
 * The store of replicated dashboards: PostgreSQL at BOXROOM_DATABASE_URL. Every write that replicas
 * could race on is one conditional statement or one transaction, decided by the database (its clock
 * too, for leases); every write NOTIFYs in its transaction, and each replica LISTENs (ChangeFeed).
 */
export class PostgresStateStore implements StateStore {
  readonly kind = 'postgres' as const;
  readonly db: PgDatabase;
  private readonly feed: ChangeFeed;
  private readonly changes: ChangeListeners;
  private readonly accounts: PgAccounts;
  private readonly audit: PgAudit;
  private readonly templates: PgTemplates;
  private readonly poolClaims: PgPoolClaims;
  private readonly quotas: PostgresQuotas;
  private closed: Promise<void> | null = null;

  constructor(
    private readonly url: string,
    private readonly log: Logger,
  ) {
    this.db = new PgDatabase(url, log);
    this.audit = new PgAudit(this.db);
    this.templates = new PgTemplates(this.db);
    this.poolClaims = new PgPoolClaims(this.db);
    this.quotas = new PostgresQuotas(this.db);
    this.changes = new ChangeListeners(log);
    this.accounts = new PgAccounts(this.db);
    this.feed = new ChangeFeed({
      connectionString: url,
      log,
      onChange: (c) => this.changes.emit(c),
      onResync: () => void this.resync(),
    });
  }

  async open(): Promise<void> {
    this.log.info({ database: redactDatabaseUrl(this.url) }, 'state store: PostgreSQL');
    await applyMigrations(this.db.pool, this.log);
    await this.feed.start();
  }

  close(): Promise<void> {
    this.closed ??= this.feed.stop().then(() => this.db.close());
    return this.closed;
  }

  /** The feed's backend pid: tests end that connection to prove the reconnection. */
  listenerPid(): Promise<number | null> {
    return this.feed.backendPid();
  }

  async loadInviteGenerations(): Promise<InviteGenerations> {
    const { rows } = await this.db.query<{ room: string; role: InviteRole; generation: number }>(
      'SELECT room, role, generation FROM invite_generations',
    );
    const out: InviteGenerations = {};
    for (const r of rows) (out[r.room] ??= {})[r.role] = r.generation;
    return out;
  }

  bumpInviteGeneration(room: string, role: InviteRole): Promise<number> {
    return this.db.transaction(async (c) => {
      // One statement: concurrent bumps queue on the row lock, and each sees the other's result.
      const { rows } = await c.query<{ generation: number }>(
        `INSERT INTO invite_generations (room, role, generation) VALUES ($1, $2, 1)
         ON CONFLICT (room, role) DO UPDATE SET generation = invite_generations.generation + 1
         RETURNING generation`,
        [room, role],
      );
      await notifyChange(c, { kind: 'invites', room });
      return rows[0]!.generation;
    });
  }

  async loadRights(): Promise<Record<string, RoomRightsEntry>> {
    const [kicks, revocations] = await Promise.all([
      this.db.query<{ room: string; participant_id: string; until_s: string }>(
        'SELECT room, participant_id, until_s FROM kicks',
      ),
      this.db.query<{ room: string; role: InviteRole; before_s: string }>(
        'SELECT room, role, before_s FROM revocations',
      ),
    ]);
    const out: Record<string, RoomRightsEntry> = {};
    const entry = (room: string) => (out[room] ??= { kicked: {}, revokedBefore: {} });
    for (const k of kicks.rows) entry(k.room).kicked[k.participant_id] = Number(k.until_s);
    for (const r of revocations.rows) entry(r.room).revokedBefore[r.role] = Number(r.before_s);
    return out;
  }

  kick(room: string, participantId: string, untilS: number, nowS: number): Promise<void> {
    return this.db.transaction(async (c) => {
      await c.query(
        `INSERT INTO kicks (room, participant_id, until_s) VALUES ($1, $2, $3)
         ON CONFLICT (room, participant_id) DO UPDATE SET until_s = excluded.until_s`,
        [room, participantId, untilS],
      );
      await c.query('DELETE FROM kicks WHERE room = $1 AND until_s < $2', [room, nowS]);
      await notifyChange(c, { kind: 'rights', room });
    });
  }

  revokeBefore(room: string, role: InviteRole, beforeS: number): Promise<void> {
    return this.db.transaction(async (c) => {
      await c.query(
        `INSERT INTO revocations (room, role, before_s) VALUES ($1, $2, $3)
         ON CONFLICT (room, role) DO UPDATE SET before_s = GREATEST(revocations.before_s, excluded.before_s)`,
        [room, role, beforeS],
      );
      await notifyChange(c, { kind: 'rights', room });
    });
  }

  async loadRoomSettings(): Promise<Record<string, RoomLiveSettings>> {
    const { rows } = await this.db.query<{ room: string; settings: string }>(
      'SELECT room, settings::text AS settings FROM room_settings',
    );
    return Object.fromEntries(rows.map((r) => [r.room, JSON.parse(r.settings) as RoomLiveSettings]));
  }

  setRoomSettings(room: string, settings: RoomLiveSettings): Promise<void> {
    return this.db.transaction(async (c) => {
      await c.query(
        `INSERT INTO room_settings (room, settings) VALUES ($1, $2)
         ON CONFLICT (room) DO UPDATE SET settings = excluded.settings`,
        [room, JSON.stringify(settings)],
      );
      await notifyChange(c, { kind: 'settings', room });
    });
  }

  forgetRoom(room: string): Promise<void> {
    return this.db.transaction(async (c) => {
      for (const table of ['invite_generations', 'kicks', 'revocations', 'room_settings']) {
        await c.query(`DELETE FROM ${table} WHERE room = $1`, [room]);
      }
      await notifyChange(c, { kind: 'invites', room });
      await notifyChange(c, { kind: 'rights', room });
      await notifyChange(c, { kind: 'settings', room });
    });
  }

  onChange(listener: (change: StoreChange) => void): () => void {
    return this.changes.add(listener);
  }

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    // Taken when free, expired or already ours; the expiry is on the database's clock, so replicas
    // whose clocks disagree still agree on who holds it.
    const { rowCount } = await this.db.query(
      `INSERT INTO leases (name, holder, expires_at)
       VALUES ($1, $2, now() + $3::bigint * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE leases.expires_at <= now() OR leases.holder = excluded.holder`,
      [name, holder, Math.round(ttlMs)],
    );
    return rowCount === 1;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.db.query('DELETE FROM leases WHERE name = $1 AND holder = $2', [name, holder]);
  }

  async enqueueWebhook(event: WebhookEvent): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'INSERT INTO webhook_outbox (id, event) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING',
      [event.id, JSON.stringify(event)],
    );
    return rowCount === 1;
  }

  async dueWebhooks(limit: number, nowMs: number): Promise<OutboxEntry[]> {
    // The event as text: pg would parse json into an object anyway, but this keeps it explicit.
    const { rows } = await this.db.query<{ event: string; attempts: number }>(
      `SELECT event::text AS event, attempts FROM webhook_outbox
       WHERE finished_at IS NULL AND next_at_ms <= $2 ORDER BY seq LIMIT $1`,
      [limit, nowMs],
    );
    return rows.map((r) => ({ event: JSON.parse(r.event) as WebhookEvent, attempts: r.attempts }));
  }

  async finishWebhook(id: string): Promise<void> {
    await this.db.query(
      'UPDATE webhook_outbox SET finished_at = now() WHERE id = $1 AND finished_at IS NULL',
      [id],
    );
    await this.db.query(
      `DELETE FROM webhook_outbox WHERE finished_at < now() - interval '${FINISHED_WEBHOOK_KEEP}'`,
    );
  }

  async retryWebhook(id: string, attempts: number, nextAtMs: number): Promise<void> {
    await this.db.query(
      'UPDATE webhook_outbox SET attempts = $2, next_at_ms = $3 WHERE id = $1 AND finished_at IS NULL',
      [id, attempts, Math.round(nextAtMs)],
    );
  }

  async insertRecording(entry: RecordingEntry): Promise<boolean> {
    return this.db.transaction(async (c) => {
      // The partial unique index refuses a second running recording of the room: nothing inserted.
      const { rowCount } = await c.query(
        `INSERT INTO recordings (id, room, state, started_at, entry) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING`,
        [entry.id, entry.roomId, entry.state, entry.startedAt, JSON.stringify(entry)],
      );
      if (rowCount) await notifyChange(c, { kind: 'recordings', room: entry.roomId });
      return (rowCount ?? 0) > 0;
    });
  }

  async updateRecording(entry: RecordingEntry): Promise<void> {
    await this.db.transaction(async (c) => {
      // the row locked: a concurrent write of stopRequested or roomInvites is merged, not lost
      const { rows } = await c.query<{ entry: RecordingEntry }>(
        'SELECT entry FROM recordings WHERE id = $1 FOR UPDATE',
        [entry.id],
      );
      const stored = rows[0]?.entry;
      if (!stored) return;
      const merged = mergeRecordingWrite(stored, entry);
      await c.query('UPDATE recordings SET state = $2, entry = $3 WHERE id = $1', [
        merged.id,
        merged.state,
        JSON.stringify(merged),
      ]);
      await notifyChange(c, { kind: 'recordings', room: entry.roomId });
    });
  }

  async listRecordings(): Promise<RecordingEntry[]> {
    const { rows } = await this.db.query<{ entry: RecordingEntry }>(
      'SELECT entry FROM recordings ORDER BY started_at DESC, id',
    );
    return rows.map((r) => r.entry);
  }

  async getRecording(id: string): Promise<RecordingEntry | null> {
    const { rows } = await this.db.query<{ entry: RecordingEntry }>(
      'SELECT entry FROM recordings WHERE id = $1',
      [id],
    );
    return rows[0]?.entry ?? null;
  }

  deleteRecording(id: string): Promise<boolean> {
    return this.db.transaction(async (c) => {
      const { rows } = await c.query<{ room: string }>(
        'DELETE FROM recordings WHERE id = $1 RETURNING room',
        [id],
      );
      if (rows[0]) await notifyChange(c, { kind: 'recordings', room: rows[0].room });
      return rows.length > 0;
    });
  }

  async takeProfile({ owner, name, holder }: ProfileLease, nowMs: number): Promise<boolean> {
    // One statement: made when missing, taken when free or already the holder's; two replicas taking
    // it at once queue on the row, and the second sees the first's holder.
    const { rowCount } = await this.db.query(
      `INSERT INTO profiles (owner, name, in_use_by, created_at, last_used_at) VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (owner, name) DO UPDATE SET in_use_by = excluded.in_use_by, last_used_at = excluded.last_used_at
       WHERE profiles.in_use_by IS NULL OR profiles.in_use_by = excluded.in_use_by`,
      [owner, name, holder, Math.round(nowMs)],
    );
    return rowCount === 1;
  }

  async releaseProfile(
    { owner, name, holder }: ProfileLease,
    nowMs: number,
    bytes: number | null,
  ): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE profiles SET in_use_by = NULL, last_used_at = $4, bytes = COALESCE($5, bytes)
       WHERE owner = $1 AND name = $2 AND in_use_by = $3`,
      [owner, name, holder, Math.round(nowMs), bytes],
    );
    return rowCount === 1;
  }

  async setProfileBytes(owner: string, name: string, bytes: number): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'UPDATE profiles SET bytes = $3 WHERE owner = $1 AND name = $2',
      [owner, name, bytes],
    );
    return rowCount === 1;
  }

  async listProfiles(): Promise<ProfileEntry[]> {
    const { rows } = await this.db.query<{
      owner: string;
      name: string;
      in_use_by: string | null;
      bytes: string | null;
      created_at: string;
      last_used_at: string;
    }>('SELECT * FROM profiles ORDER BY created_at, owner, name');
    return rows.map((r) => ({
      owner: r.owner,
      name: r.name,
      inUseBy: r.in_use_by,
      bytes: r.bytes === null ? null : Number(r.bytes),
      createdAt: Number(r.created_at),
      lastUsedAt: Number(r.last_used_at),
    }));
  }

  async deleteProfile({ owner, name, holder }: ProfileLease): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'DELETE FROM profiles WHERE owner = $1 AND name = $2 AND in_use_by = $3',
      [owner, name, holder],
    );
    return rowCount === 1;
  }

  // templates (pg-templates.ts)
  readonly loadTemplates = (): Promise<TemplateDefinition[]> => this.templates.load();
  readonly insertTemplate = (t: TemplateDefinition): Promise<boolean> => this.templates.insert(t);
  readonly deleteTemplate = (id: string): Promise<boolean> => this.templates.delete(id);
  // the warm pool's claims (pg-pool-claims.ts)
  readonly loadPoolClaims = (): Promise<PoolClaim[]> => this.poolClaims.load();
  readonly claimPoolRoom = (claim: PoolClaim): Promise<boolean> => this.poolClaims.insert(claim);
  readonly dropPoolClaim = (room: string): Promise<void> => this.poolClaims.delete(room);

  // accounts and API tokens (pg-accounts.ts), the audit trail (pg-audit.ts): each one statement
  readonly upsertAccount = (account: Account): Promise<Account> => this.accounts.upsert(account);
  readonly getAccount = (id: string): Promise<Account | null> => this.accounts.get(id);
  readonly listAccounts = (): Promise<Account[]> => this.accounts.list();
  readonly insertApiToken = (entry: ApiTokenEntry): Promise<void> => this.accounts.insertToken(entry);
  readonly getApiToken = (id: string): Promise<ApiTokenEntry | null> => this.accounts.getToken(id);
  readonly listApiTokens = (ownerId: string | null): Promise<ApiTokenEntry[]> =>
    this.accounts.listTokens(ownerId);
  readonly deleteApiToken = (id: string): Promise<boolean> => this.accounts.deleteToken(id);
  readonly touchApiToken = (id: string, at: string): Promise<void> => this.accounts.touchToken(id, at);
  readonly appendAudit = (entry: NewAuditEntry): Promise<AuditEntry | null> => this.audit.append(entry);
  readonly queryAudit = (filter: AuditFilter): Promise<AuditEntry[]> => this.audit.query(filter);
  readonly pruneAudit = (beforeMs: number, keepMax: number): Promise<number> =>
    this.audit.prune(beforeMs, keepMax);

  // quotas: each one statement (postgres-quotas.ts)
  readonly getQuotaOverrides = (account: string): Promise<QuotaOverrides> => this.quotas.overrides(account);
  readonly patchQuotaOverrides = (account: string, patch: QuotaOverrides): Promise<QuotaOverrides> =>
    this.quotas.patch(account, patch);
  readonly openRoomUsage = (e: Omit<RoomUsageEntry, 'endedAt'>): Promise<boolean> => this.quotas.open(e);
  readonly closeRoomUsage = (room: string, at: number): Promise<boolean> => this.quotas.close(room, at);
  readonly listRoomUsage = (sinceMs: number): Promise<RoomUsageEntry[]> => this.quotas.list(sinceMs);
  readonly pruneRoomUsage = (beforeMs: number): Promise<number> => this.quotas.prune(beforeMs);

  /** Tells listeners of every room with state: what changed while the feed was down is unknown. */
  private async resync(): Promise<void> {
    try {
      const { rows } = await this.db.query<{ room: string }>(
        `SELECT room FROM invite_generations UNION SELECT room FROM kicks UNION SELECT room FROM revocations
         UNION SELECT room FROM room_settings`,
      );
      // the templates are one list: one change reloads it whole
      this.changes.emit({ kind: 'templates', room: '' });
      for (const { room } of rows) {
        this.changes.emit({ kind: 'invites', room });
        this.changes.emit({ kind: 'rights', room });
        this.changes.emit({ kind: 'settings', room });
      }
    } catch (err) {
      this.log.warn({ err }, 'store resync after a lost change feed failed');
    }
  }
}
