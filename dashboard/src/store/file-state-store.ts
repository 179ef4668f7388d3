import { join } from 'node:path';
import type { Account, AuditEntry, TemplateDefinition, WebhookEvent } from '@boxroom/contracts';
import type { Logger } from '../logger.js';
import { readJsonOr, SerialQueue, writeJsonAtomic } from './atomic-json.js';
import type { AuditFilter, NewAuditEntry } from './audit-entry.js';
import { ChangeListeners } from './change-listeners.js';
import { FileAccounts } from './file-accounts.js';
import { FileAudit } from './file-audit.js';
import { FileOutbox } from './file-outbox.js';
import { FileProfiles } from './file-profiles.js';
import { FileQuotas } from './file-quotas.js';
import type { QuotaOverrides, RoomUsageEntry } from './quota-entry.js';
import type { ProfileEntry, ProfileLease } from './profile-entry.js';
import { FileRecordings } from './file-recordings.js';
import { FileTemplates } from './file-templates.js';
import { FilePoolClaims } from './file-pool-claims.js';
import type { PoolClaim } from './pool-claim-entry.js';
import type { RecordingEntry } from './recording-entry.js';
import type {
  ApiTokenEntry,
  InviteGenerations,
  InviteRole,
  OutboxEntry,
  RoomLiveSettings,
  RoomRightsEntry,
  StateStore,
  StoreChange,
} from './state-store.js';

/** The files in the data dir (invites.json and rights.json keep the formats they had before the store). */
export const STATE_FILES = {
  invites: 'invites.json',
  rights: 'rights.json',
  outbox: 'webhook-outbox.json',
  recordings: 'recordings.json',
  settings: 'room-settings.json',
  profiles: 'profiles.json',
  templates: 'templates.json',
  poolClaims: 'pool-claims.json',
  accounts: 'accounts.json',
  apiTokens: 'api-tokens.json',
  audit: 'audit.jsonl',
  quotas: 'quotas.json',
} as const;

interface Lease {
  holder: string;
  expiresAtMs: number;
}

/**
 * The embedded store: small JSON files in the data dir, each rewritten atomically and one write at a
 * time, and everything else in this process (leases, change listeners). It serves exactly one
 * dashboard per data dir: two processes on one dir would overwrite each other's files.
 */
export class FileStateStore implements StateStore {
  readonly kind = 'file' as const;
  private generations: InviteGenerations = {};
  private rights: Record<string, RoomRightsEntry> = {};
  private readonly leases = new Map<string, Lease>();
  private readonly invitesWrites = new SerialQueue();
  private readonly rightsWrites = new SerialQueue();
  private settings: Record<string, RoomLiveSettings> = {};
  private readonly settingsWrites = new SerialQueue();
  private readonly outbox: FileOutbox;
  private readonly recordings: FileRecordings;
  private readonly profiles: FileProfiles;
  private readonly templates: FileTemplates;
  private readonly poolClaims: FilePoolClaims;
  private readonly accounts: FileAccounts;
  private readonly audit: FileAudit;
  private readonly quotas: FileQuotas;
  private readonly changes: ChangeListeners;

  constructor(
    private readonly dataDir: string,
    private readonly log: Logger,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.outbox = new FileOutbox(join(dataDir, STATE_FILES.outbox), log);
    this.recordings = new FileRecordings(join(dataDir, STATE_FILES.recordings), log);
    this.profiles = new FileProfiles(join(dataDir, STATE_FILES.profiles), log);
    this.templates = new FileTemplates(join(dataDir, STATE_FILES.templates));
    this.poolClaims = new FilePoolClaims(join(dataDir, STATE_FILES.poolClaims));
    this.accounts = new FileAccounts(
      { accounts: join(dataDir, STATE_FILES.accounts), tokens: join(dataDir, STATE_FILES.apiTokens) },
      log,
    );
    this.audit = new FileAudit(join(dataDir, STATE_FILES.audit), log);
    this.quotas = new FileQuotas(join(dataDir, STATE_FILES.quotas), log);
    this.changes = new ChangeListeners(log);
  }

  async open(): Promise<void> {
    // A corrupt file would lock everyone out (invites) or let kicked participants back in (rights):
    // start empty, and say so loudly.
    const invites = await this.readOr(STATE_FILES.invites, 'invite generations unreadable: starting from 0');
    const rights = await this.readOr(
      STATE_FILES.rights,
      'rights unreadable: kicks and revocations forgotten',
    );
    this.generations = isObject(invites) ? (invites as InviteGenerations) : {};
    this.rights = isObject(rights) ? (rights as Record<string, RoomRightsEntry>) : {};
    // unreadable: rooms fall back to their created size and the default clipboard policy
    const settings = await this.readOr(STATE_FILES.settings, 'room settings unreadable: defaults apply');
    this.settings = isObject(settings) ? (settings as Record<string, RoomLiveSettings>) : {};
    await this.outbox.load();
    await this.recordings.load();
    await this.profiles.load();
    await this.accounts.load();
    await this.quotas.load();
    this.templates.loaded(
      await this.readOr(STATE_FILES.templates, 'templates unreadable: the API-made templates are missing'),
    );
    await this.poolClaims.load();
    await this.audit.load();
  }

  async close(): Promise<void> {
    await Promise.all([
      this.invitesWrites.run(async () => undefined),
      this.rightsWrites.run(async () => undefined),
      this.settingsWrites.run(async () => undefined),
      this.outbox.settled(),
      this.recordings.settled(),
      this.profiles.settled(),
      this.templates.settled(),
      this.poolClaims.settled(),
      this.accounts.settled(),
      this.audit.close(),
      this.quotas.settled(),
    ]);
  }

  loadInviteGenerations(): Promise<InviteGenerations> {
    return Promise.resolve(structuredClone(this.generations));
  }

  async bumpInviteGeneration(room: string, role: InviteRole): Promise<number> {
    const next = await this.invitesWrites.run(async () => {
      const value = (this.generations[room]?.[role] ?? 0) + 1;
      this.generations = { ...this.generations, [room]: { ...this.generations[room], [role]: value } };
      await writeJsonAtomic(this.path(STATE_FILES.invites), this.generations);
      return value;
    });
    this.changes.emit({ kind: 'invites', room });
    return next;
  }

  loadRights(): Promise<Record<string, RoomRightsEntry>> {
    return Promise.resolve(structuredClone(this.rights));
  }

  kick(room: string, participantId: string, untilS: number, nowS: number): Promise<void> {
    return this.updateRights(room, (e) => {
      // Expired kicks go on every write: the file stays as small as the kicks that still matter.
      const kicked = Object.entries({ ...e.kicked, [participantId]: untilS }).filter(([, u]) => u >= nowS);
      return { ...e, kicked: Object.fromEntries(kicked) };
    });
  }

  revokeBefore(room: string, role: InviteRole, beforeS: number): Promise<void> {
    return this.updateRights(room, (e) => ({
      ...e,
      revokedBefore: { ...e.revokedBefore, [role]: Math.max(e.revokedBefore[role] ?? 0, beforeS) },
    }));
  }

  loadRoomSettings(): Promise<Record<string, RoomLiveSettings>> {
    return Promise.resolve(structuredClone(this.settings));
  }

  async setRoomSettings(room: string, settings: RoomLiveSettings): Promise<void> {
    await this.settingsWrites.run(async () => {
      this.settings = { ...this.settings, [room]: structuredClone(settings) };
      await writeJsonAtomic(this.path(STATE_FILES.settings), this.settings);
    });
    this.changes.emit({ kind: 'settings', room });
  }

  async forgetRoom(room: string): Promise<void> {
    await Promise.all([
      this.invitesWrites.run(async () => {
        if (!(room in this.generations)) return;
        this.generations = without(this.generations, room);
        await writeJsonAtomic(this.path(STATE_FILES.invites), this.generations);
      }),
      this.rightsWrites.run(async () => {
        if (!(room in this.rights)) return;
        this.rights = without(this.rights, room);
        await writeJsonAtomic(this.path(STATE_FILES.rights), this.rights);
      }),
      this.settingsWrites.run(async () => {
        if (!(room in this.settings)) return;
        this.settings = without(this.settings, room);
        await writeJsonAtomic(this.path(STATE_FILES.settings), this.settings);
      }),
    ]);
    this.changes.emit({ kind: 'invites', room });
    this.changes.emit({ kind: 'rights', room });
    this.changes.emit({ kind: 'settings', room });
  }

  onChange(listener: (change: StoreChange) => void): () => void {
    return this.changes.add(listener);
  }

  acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = this.nowMs();
    const lease = this.leases.get(name);
    if (lease && lease.holder !== holder && lease.expiresAtMs > now) return Promise.resolve(false);
    this.leases.set(name, { holder, expiresAtMs: now + ttlMs });
    return Promise.resolve(true);
  }

  releaseLease(name: string, holder: string): Promise<void> {
    if (this.leases.get(name)?.holder === holder) this.leases.delete(name);
    return Promise.resolve();
  }

  enqueueWebhook(event: WebhookEvent): Promise<boolean> {
    return this.outbox.enqueue(event);
  }

  dueWebhooks(limit: number, nowMs: number): Promise<OutboxEntry[]> {
    return Promise.resolve(this.outbox.due(limit, nowMs));
  }

  finishWebhook(id: string): Promise<void> {
    return this.outbox.finish(id);
  }

  retryWebhook(id: string, attempts: number, nextAtMs: number): Promise<void> {
    return this.outbox.retry(id, attempts, nextAtMs);
  }

  async insertRecording(entry: RecordingEntry): Promise<boolean> {
    const added = await this.recordings.insert(entry);
    if (added) this.changes.emit({ kind: 'recordings', room: entry.roomId });
    return added;
  }

  async updateRecording(entry: RecordingEntry): Promise<void> {
    await this.recordings.update(entry);
    this.changes.emit({ kind: 'recordings', room: entry.roomId });
  }

  listRecordings(): Promise<RecordingEntry[]> {
    return Promise.resolve(this.recordings.list());
  }

  getRecording(id: string): Promise<RecordingEntry | null> {
    return Promise.resolve(this.recordings.get(id));
  }

  async deleteRecording(id: string): Promise<boolean> {
    const entry = this.recordings.get(id);
    const deleted = await this.recordings.delete(id);
    if (entry && deleted) this.changes.emit({ kind: 'recordings', room: entry.roomId });
    return deleted;
  }

  takeProfile(lease: ProfileLease, nowMs: number): Promise<boolean> {
    return this.profiles.take(lease, nowMs);
  }

  releaseProfile(lease: ProfileLease, nowMs: number, bytes: number | null): Promise<boolean> {
    return this.profiles.release(lease, nowMs, bytes);
  }

  setProfileBytes(owner: string, name: string, bytes: number): Promise<boolean> {
    return this.profiles.setBytes(owner, name, bytes);
  }

  listProfiles(): Promise<ProfileEntry[]> {
    return Promise.resolve(this.profiles.list());
  }

  deleteProfile(lease: ProfileLease): Promise<boolean> {
    return this.profiles.delete(lease);
  }

  loadTemplates(): Promise<TemplateDefinition[]> {
    return Promise.resolve(this.templates.all());
  }

  async insertTemplate(template: TemplateDefinition): Promise<boolean> {
    const added = await this.templates.insert(template);
    if (added) this.changes.emit({ kind: 'templates', room: template.id });
    return added;
  }

  // the warm pool's claims (file-pool-claims.ts)
  readonly loadPoolClaims = (): Promise<PoolClaim[]> => Promise.resolve(this.poolClaims.all());
  readonly claimPoolRoom = (claim: PoolClaim): Promise<boolean> => this.poolClaims.insert(claim);
  readonly dropPoolClaim = (room: string): Promise<void> => this.poolClaims.delete(room);

  async deleteTemplate(id: string): Promise<boolean> {
    const deleted = await this.templates.delete(id);
    if (deleted) this.changes.emit({ kind: 'templates', room: id });
    return deleted;
  }

  upsertAccount(account: Account): Promise<Account> {
    return this.accounts.upsert(account);
  }

  getAccount(id: string): Promise<Account | null> {
    return Promise.resolve(this.accounts.getAccount(id));
  }

  listAccounts(): Promise<Account[]> {
    return Promise.resolve(this.accounts.listAccounts());
  }

  insertApiToken(entry: ApiTokenEntry): Promise<void> {
    return this.accounts.insertToken(entry);
  }

  getApiToken(id: string): Promise<ApiTokenEntry | null> {
    return Promise.resolve(this.accounts.getToken(id));
  }

  listApiTokens(ownerId: string | null): Promise<ApiTokenEntry[]> {
    return Promise.resolve(this.accounts.listTokens(ownerId));
  }

  deleteApiToken(id: string): Promise<boolean> {
    return this.accounts.deleteToken(id);
  }

  touchApiToken(id: string, at: string): Promise<void> {
    return this.accounts.touchToken(id, at);
  }

  appendAudit(entry: NewAuditEntry): Promise<AuditEntry | null> {
    return this.audit.append(entry);
  }

  queryAudit(filter: AuditFilter): Promise<AuditEntry[]> {
    return Promise.resolve(this.audit.query(filter));
  }

  pruneAudit(beforeMs: number, keepMax: number): Promise<number> {
    return this.audit.prune(beforeMs, keepMax);
  }

  getQuotaOverrides(account: string): Promise<QuotaOverrides> {
    return Promise.resolve(this.quotas.overrides(account));
  }

  patchQuotaOverrides(account: string, patch: QuotaOverrides): Promise<QuotaOverrides> {
    return this.quotas.patch(account, patch);
  }

  /** Every account's own limits (the import into PostgreSQL copies them). */
  listQuotaOverrides(): Promise<Record<string, QuotaOverrides>> {
    return Promise.resolve(this.quotas.allOverrides());
  }

  openRoomUsage(entry: Omit<RoomUsageEntry, 'endedAt'>): Promise<boolean> {
    return this.quotas.open(entry);
  }

  closeRoomUsage(room: string, endedAt: number): Promise<boolean> {
    return this.quotas.close(room, endedAt);
  }

  listRoomUsage(sinceMs: number): Promise<RoomUsageEntry[]> {
    return Promise.resolve(this.quotas.list(sinceMs));
  }

  pruneRoomUsage(endedBeforeMs: number): Promise<number> {
    return this.quotas.prune(endedBeforeMs);
  }

  private async updateRights(room: string, change: (e: RoomRightsEntry) => RoomRightsEntry): Promise<void> {
    await this.rightsWrites.run(async () => {
      const next = change(this.rights[room] ?? { kicked: {}, revokedBefore: {} });
      const rest = without(this.rights, room);
      // A room with nothing taken away has no entry (the PostgreSQL store has no row for it either).
      const empty = Object.keys(next.kicked).length === 0 && Object.keys(next.revokedBefore).length === 0;
      this.rights = empty ? rest : { ...rest, [room]: next };
      await writeJsonAtomic(this.path(STATE_FILES.rights), this.rights);
    });
    this.changes.emit({ kind: 'rights', room });
  }

  private readOr(file: string, warning: string): Promise<unknown> {
    return readJsonOr(this.path(file), this.log, warning);
  }

  private path(file: string): string {
    return join(this.dataDir, file);
  }
}

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  const rest = { ...record };
  delete rest[key];
  return rest;
}

function isObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
