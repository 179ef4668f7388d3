import type {
  Account,
  AgentLiveSettings,
  ApiToken,
  AuditEntry,
  InviteRole,
  TemplateDefinition,
  WebhookEvent,
} from '@boxroom/contracts';
import type { AuditFilter, NewAuditEntry } from './audit-entry.js';
import type { PoolClaim } from './pool-claim-entry.js';
import type { ProfileEntry, ProfileLease } from './profile-entry.js';
import type { QuotaOverrides, RoomUsageEntry } from './quota-entry.js';
import type { RecordingEntry } from './recording-entry.js';

export type { InviteRole };

/**
 * Everything the dashboard remembers beyond what the runtime's labels hold, behind one interface
 * with two implementations that pass one shared suite: files in the data dir (one dashboard, the
 * default) and PostgreSQL (`BOXROOM_DATABASE_URL`: several replicas of one deployment). Later
 * features (recordings index, audit entries, profiles, quotas, settings) add their methods here.
 *
 * Every write is atomic; where two replicas could race (bumping a generation, taking a lease,
 * claiming a webhook) the PostgreSQL store decides in one transaction or one conditional statement.
 */
export interface StateStore {
  readonly kind: 'file' | 'postgres';
  /** Connects and applies pending migrations. */
  open(): Promise<void>;
  close(): Promise<void>;

  // --- invite generations: an invite secret is HMAC(key, room:role:generation); revoking bumps it
  loadInviteGenerations(): Promise<InviteGenerations>;
  /** Adds one to the role's generation and returns the new value. */
  bumpInviteGeneration(room: string, role: InviteRole): Promise<number>;

  // --- rights taken away before their tokens run out
  loadRights(): Promise<Record<string, RoomRightsEntry>>;
  /** Refuses the participant's tokens until `untilS`; drops the room's kicks that ended before `nowS`. */
  kick(room: string, participantId: string, untilS: number, nowS: number): Promise<void>;
  /** Refuses tokens of `role` issued before `beforeS` (keeps the later of the old and new value). */
  revokeBefore(room: string, role: InviteRole, beforeS: number): Promise<void>;

  // --- live settings (PATCH /api/rooms/:id): a room without an entry has its created size and defaults
  loadRoomSettings(): Promise<Record<string, RoomLiveSettings>>;
  /** Replaces the room's live settings (the whole of them: the last writer wins, as for any PATCH). */
  setRoomSettings(room: string, settings: RoomLiveSettings): Promise<void>;

  /** Drops everything kept for a deleted room (ids are random and never reused). */
  forgetRoom(room: string): Promise<void>;

  /**
   * Changes written by any replica, this one included (the file store: this process only), so
   * in-memory copies refresh. Returns the unsubscribe function.
   */
  onChange(listener: (change: StoreChange) => void): () => void;

  // --- singleton jobs (reaper, webhook sender, recorders): one holder at a time
  /** Takes the lease when it is free or expired, or renews it when `holder` has it; true: held. */
  acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up at once when `holder` has it (a clean shutdown hands over without waiting). */
  releaseLease(name: string, holder: string): Promise<void>;

  // --- webhook outbox: every replica enqueues, the lease holder delivers
  /** Queues an event; false when an event with this id was queued before (replicas enqueue the same). */
  enqueueWebhook(event: WebhookEvent): Promise<boolean>;
  /** Events due at `nowMs`, oldest first. */
  dueWebhooks(limit: number, nowMs: number): Promise<OutboxEntry[]>;
  /** Delivered, or given up: it leaves the outbox. */
  finishWebhook(id: string): Promise<void>;
  /** Failed attempt number `attempts`; try again at `nextAtMs`. */
  retryWebhook(id: string, attempts: number, nextAtMs: number): Promise<void>;

  // --- recordings index (the media are files in the recordings dir)
  /**
   * Adds a recording; false when its room has one in state `recording` already (two replicas asked
   * to start at once: one wins).
   */
  insertRecording(entry: RecordingEntry): Promise<boolean>;
  /**
   * Replaces an existing recording's entry (no-op for an unknown id), except that a `stopRequested`
   * already stored stays and a stored non-null `roomInvites` is not replaced by null
   * (mergeRecordingWrite): replicas other than the recorder's write those.
   */
  updateRecording(entry: RecordingEntry): Promise<void>;
  /** Every recording, newest first. */
  listRecordings(): Promise<RecordingEntry[]>;
  getRecording(id: string): Promise<RecordingEntry | null>;
  /** false: there was none */
  deleteRecording(id: string): Promise<boolean>;

  // --- persistent profiles (per owner and name) and the room that has each mounted: one at a time
  /**
   * Marks the profile used by `holder` (a room id), making its entry when it has none; false: another
   * holder has it. Taking it again as its holder is true (a retried create).
   */
  takeProfile(lease: ProfileLease, nowMs: number): Promise<boolean>;
  /**
   * Frees the profile when `holder` has it (lastUsedAt = nowMs; `bytes` when measured, else the last
   * measure stays); false: `holder` did not have it (released before, or another holder).
   */
  releaseProfile(lease: ProfileLease, nowMs: number, bytes: number | null): Promise<boolean>;
  /**
   * Records what the profile's home holds (measured after its room freed it, which may take long:
   * the lease never waits for it); false: there is no such profile (deleted meanwhile).
   */
  setProfileBytes(owner: string, name: string, bytes: number): Promise<boolean>;
  /** Every profile, oldest first. */
  listProfiles(): Promise<ProfileEntry[]>;
  /** Removes the entry only while `holder` has it (the deleter takes it first); false: it did not. */
  deleteProfile(lease: ProfileLease): Promise<boolean>;
  // --- room templates made through the API (built-in and file ones are not stored)
  /** Every stored template, in the order they were added. */
  loadTemplates(): Promise<TemplateDefinition[]>;
  /** Adds a template; false when one with its id is stored already (two replicas: one wins). */
  insertTemplate(template: TemplateDefinition): Promise<boolean>;
  /** false: there was none */
  deleteTemplate(id: string): Promise<boolean>;

  // --- operator accounts (made at their first sign-in) and their personal API tokens
  /**
   * Makes the account or updates its name, email, role and lastSignInAt (its createdAt stays);
   * answers it as stored.
   */
  upsertAccount(account: Account): Promise<Account>;
  getAccount(id: string): Promise<Account | null>;
  /** Every account, oldest first. */
  listAccounts(): Promise<Account[]>;
  /** Adds a token (ids are random: a clash is a bug, and refused). */
  insertApiToken(entry: ApiTokenEntry): Promise<void>;
  /** Read on every use, never cached: a deleted token is refused at once on every replica. */
  getApiToken(id: string): Promise<ApiTokenEntry | null>;
  /** The tokens of one account (null: everyone's), oldest first. */
  listApiTokens(ownerId: string | null): Promise<ApiTokenEntry[]>;
  /** false: there was none */
  deleteApiToken(id: string): Promise<boolean>;
  /** Sets lastUsedAt (an unknown id: no-op). */
  touchApiToken(id: string, at: string): Promise<void>;

  // --- the audit trail: appended by every replica, in one order (ids increase)
  /** Adds an entry with the next id; null when an entry with its `key` is stored already. */
  appendAudit(entry: NewAuditEntry): Promise<AuditEntry | null>;
  /** Entries passing the filter, oldest first, at most `limit`. */
  queryAudit(filter: AuditFilter): Promise<AuditEntry[]>;
  /** Drops entries older than `beforeMs`, then all but the newest `keepMax` (0: no cap); the number dropped. */
  pruneAudit(beforeMs: number, keepMax: number): Promise<number>;

  // --- per-creator quotas: an admin's limits per account, and the room-hours ledger
  /** The account's own limits ({} when an admin set none: the defaults apply). */
  getQuotaOverrides(account: string): Promise<QuotaOverrides>;
  /** Applies `patch` (present keys replace, null included; absent keys stay) in one step; the result. */
  patchQuotaOverrides(account: string, patch: QuotaOverrides): Promise<QuotaOverrides>;
  /** Opens the room's ledger entry (endedAt null); false: the room has one already (a retried write). */
  openRoomUsage(entry: Omit<RoomUsageEntry, 'endedAt'>): Promise<boolean>;
  /** Ends the room's open entry at `endedAt`; false: it has none open (ended before, or never opened). */
  closeRoomUsage(room: string, endedAt: number): Promise<boolean>;
  /** The entries still open or ended at or after `sinceMs`, oldest first. */
  listRoomUsage(sinceMs: number): Promise<RoomUsageEntry[]>;
  /** Drops the entries that ended before `endedBeforeMs`; how many went. */
  pruneRoomUsage(endedBeforeMs: number): Promise<number>;

  // --- the warm pool (rooms/pool): which pooled rooms a create took, and as whose
  loadPoolClaims(): Promise<PoolClaim[]>;
  /** Records that `claim.room` was taken; false: it was taken already (by this or another replica). */
  claimPoolRoom(claim: PoolClaim): Promise<boolean>;
  /** Forgets the room's claim (the room is gone); none is fine. */
  dropPoolClaim(room: string): Promise<void>;
}

/** A personal API token as kept: `digest` is the SHA-256 (hex) of its secret, which is never stored. */
export interface ApiTokenEntry extends ApiToken {
  digest: string;
}

/** room -> invite role -> generation (absent: 0) */
export type InviteGenerations = Record<string, Partial<Record<InviteRole, number>>>;

export interface RoomRightsEntry {
  /** participant id -> s since epoch until which their tokens are refused */
  kicked: Record<string, number>;
  /** invite role -> tokens of that role issued (iat, s) before this are refused */
  revokedBefore: Partial<Record<InviteRole, number>>;
}

/** A room's size and settings as its owner last set them: what its agent is told (POST /settings). */
export type RoomLiveSettings = AgentLiveSettings;

export type StoreChange =
  | { kind: 'invites'; room: string }
  | { kind: 'rights'; room: string }
  | { kind: 'recordings'; room: string }
  | { kind: 'settings'; room: string }
  /** `room` is the template's id here: templates belong to no room */
  | { kind: 'templates'; room: string };

export const STORE_CHANGE_KINDS: readonly StoreChange['kind'][] = [
  'invites',
  'rights',
  'recordings',
  'settings',
  'templates',
];

export interface OutboxEntry {
  event: WebhookEvent;
  /** failed attempts so far */
  attempts: number;
}
