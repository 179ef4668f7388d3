import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../logger.js';
import { readJson } from '../atomic-json.js';
import { FileStateStore, STATE_FILES } from '../file-state-store.js';
import { insertAudit } from './pg-audit.js';
import type { PgDatabase } from './pg-database.js';
import { notifyChange } from './pg-database.js';

export interface ImportCounts {
  rooms: number;
  inviteGenerations: number;
  kicks: number;
  revocations: number;
  /** queued now: those queued by an earlier import are not counted again */
  webhooks: number;
  /** rooms whose live settings were copied (a room the database has settings for keeps them) */
  roomSettings: number;
  /** profiles copied with their lease (one the database knows already keeps its own) */
  profiles: number;
  /** templates made through the API that were copied (one the database has by that id stays) */
  templates: number;
  /** operator accounts copied (one the database knows already stays: it signed in since) */
  accounts: number;
  /** personal API tokens copied (by id: their digests come along, so their secrets keep working) */
  apiTokens: number;
  /** audit entries copied (in their order, after those the database has; an entry copied before is not again) */
  auditEntries: number;
  /** accounts whose own quota limits were copied (one the database has limits for keeps them) */
  quotaOverrides: number;
  /** room-hours ledger entries copied (a room the database has an entry for keeps it) */
  roomUsage: number;
}

const MERGE = {
  generation: `INSERT INTO invite_generations (room, role, generation) VALUES ($1, $2, $3)
    ON CONFLICT (room, role) DO UPDATE
    SET generation = GREATEST(invite_generations.generation, excluded.generation)`,
  kick: `INSERT INTO kicks (room, participant_id, until_s) VALUES ($1, $2, $3)
    ON CONFLICT (room, participant_id) DO UPDATE SET until_s = GREATEST(kicks.until_s, excluded.until_s)`,
  revocation: `INSERT INTO revocations (room, role, before_s) VALUES ($1, $2, $3)
    ON CONFLICT (room, role) DO UPDATE SET before_s = GREATEST(revocations.before_s, excluded.before_s)`,
} as const;

/**
 * Copies a file store (a data dir of one dashboard) into PostgreSQL, once, in one transaction. Run
 * again, it changes nothing: every value merges as the later of the two (generations, kicks and
 * revocations only grow; a lower generation would revive revoked links), and queued webhooks are
 * keyed by id. The data dir is only read.
 */
export async function importFileStore(dataDir: string, db: PgDatabase, log: Logger): Promise<ImportCounts> {
  await checkReadable(dataDir);
  const files = new FileStateStore(dataDir, log);
  await files.open();
  const generations = await files.loadInviteGenerations();
  const rights = await files.loadRights();
  const settings = await files.loadRoomSettings();
  const profiles = await files.listProfiles();
  const templates = await files.loadTemplates();
  const accounts = await files.listAccounts();
  const apiTokens = await files.listApiTokens(null);
  const webhooks = await files.dueWebhooks(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  const audit = await files.queryAudit({ limit: Number.MAX_SAFE_INTEGER });
  const quotaOverrides = await files.listQuotaOverrides();
  const roomUsage = await files.listRoomUsage(0);
  await files.close();

  // Each row inserted, or merged as the later value: a second import changes nothing.
  const rows: [keyof typeof MERGE, keyof ImportCounts, unknown[]][] = [];
  for (const [room, roles] of Object.entries(generations)) {
    for (const [role, n] of Object.entries(roles))
      rows.push(['generation', 'inviteGenerations', [room, role, n]]);
  }
  for (const [room, entry] of Object.entries(rights)) {
    for (const [id, untilS] of Object.entries(entry.kicked)) rows.push(['kick', 'kicks', [room, id, untilS]]);
    for (const [role, s] of Object.entries(entry.revokedBefore))
      rows.push(['revocation', 'revocations', [room, role, s]]);
  }
  const counts: ImportCounts = {
    rooms: 0,
    inviteGenerations: 0,
    kicks: 0,
    revocations: 0,
    webhooks: 0,
    roomSettings: 0,
    profiles: 0,
    templates: 0,
    accounts: 0,
    apiTokens: 0,
    auditEntries: 0,
    quotaOverrides: 0,
    roomUsage: 0,
  };
  await db.transaction(async (c) => {
    for (const [kind, count, params] of rows) {
      await c.query(MERGE[kind], params);
      counts[count]++;
    }
    // Attempts carry over; the time of the next one does not: due at once on the new store.
    for (const { event, attempts } of webhooks) {
      const { rowCount } = await c.query(
        'INSERT INTO webhook_outbox (id, event, attempts) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING',
        [event.id, JSON.stringify(event), attempts],
      );
      counts.webhooks += rowCount ?? 0;
    }
    // Settings have no "later" to merge: what the database holds (set through a replica) stays.
    for (const [room, value] of Object.entries(settings)) {
      const { rowCount } = await c.query(
        'INSERT INTO room_settings (room, settings) VALUES ($1, $2) ON CONFLICT (room) DO NOTHING',
        [room, JSON.stringify(value)],
      );
      counts.roomSettings += rowCount ?? 0;
    }
    // a lease comes along: the room holding it runs on, and no other may mount its profile meanwhile
    for (const p of profiles) {
      const { rowCount } = await c.query(
        `INSERT INTO profiles (owner, name, in_use_by, bytes, created_at, last_used_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (owner, name) DO NOTHING`,
        [p.owner, p.name, p.inUseBy, p.bytes, p.createdAt, p.lastUsedAt],
      );
      counts.profiles += rowCount ?? 0;
    }
    for (const t of templates) {
      const { rowCount } = await c.query(
        'INSERT INTO templates (id, definition) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING',
        [t.id, JSON.stringify(t)],
      );
      counts.templates += rowCount ?? 0;
    }
    if (templates.length) await notifyChange(c, { kind: 'templates', room: '' });
    for (const a of accounts) {
      const { rowCount } = await c.query(
        `INSERT INTO accounts (id, name, email, role, created_at, last_sign_in_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
        [a.id, a.name, a.email, a.role, a.createdAt, a.lastSignInAt],
      );
      counts.accounts += rowCount ?? 0;
    }
    for (const t of apiTokens) {
      const { rowCount } = await c.query(
        `INSERT INTO api_tokens (id, name, owner_id, owner, digest, created_at, expires_at, last_used_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
        [t.id, t.name, t.owner.id, JSON.stringify(t.owner), t.digest, t.createdAt, t.expiresAt, t.lastUsedAt],
      );
      counts.apiTokens += rowCount ?? 0;
    }
    // new ids, in the file's order; the key (file id and time) makes a second import copy none again
    for (const e of audit) {
      const key = `imported.${e.id}.${e.at}`;
      if (await insertAudit(c, { ...e, at: Date.parse(e.at), key })) counts.auditEntries++;
    }
    // an admin's limits, and today's room-hours: without them creators start the day afresh
    for (const [account, limits] of Object.entries(quotaOverrides)) {
      const { rowCount } = await c.query(
        'INSERT INTO quota_overrides (account, limits) VALUES ($1, $2) ON CONFLICT (account) DO NOTHING',
        [account, JSON.stringify(limits)],
      );
      counts.quotaOverrides += rowCount ?? 0;
    }
    for (const e of roomUsage) {
      const { rowCount } = await c.query(
        `INSERT INTO room_usage (room, owner, started_at, ended_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (room) DO NOTHING`,
        [e.room, e.owner, Math.round(e.startedAt), e.endedAt === null ? null : Math.round(e.endedAt)],
      );
      counts.roomUsage += rowCount ?? 0;
    }
    const rooms = new Set([...Object.keys(generations), ...Object.keys(rights), ...Object.keys(settings)]);
    counts.rooms = rooms.size;
    // Replicas already running refresh what they hold (NOTIFY is sent at commit).
    for (const room of rooms) {
      await notifyChange(c, { kind: 'invites', room });
      await notifyChange(c, { kind: 'rights', room });
      await notifyChange(c, { kind: 'settings', room });
    }
  });
  log.info({ dataDir, ...counts }, 'file store imported');
  return counts;
}

/**
 * The file store starts empty on a file it cannot read (a dashboard must come up); an import must
 * not: invite generations missing from the database revive every revoked invite link. A data dir
 * that is not there (a mistyped path) or a state file that does not parse stops it before any write.
 */
async function checkReadable(dataDir: string): Promise<void> {
  if (!(await stat(dataDir)).isDirectory()) throw new Error(`--import-from ${dataDir}: not a directory`);
  // the audit trail is JSON lines: a torn line is skipped, and a lost entry revives nothing
  for (const file of Object.values(STATE_FILES).filter((f) => f.endsWith('.json'))) {
    await readJson(join(dataDir, file)).catch((err: unknown) => {
      throw new Error(
        `--import-from: ${join(dataDir, file)} unreadable (${(err as Error).message}): nothing imported`,
      );
    });
  }
}
