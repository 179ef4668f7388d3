import { ADMIN_ACCOUNT_ID, type AuditActor } from '@boxroom/contracts';
import { actorOf } from '../audit/audit-actor.js';
import type { AuditLog } from '../audit/audit-log.js';
import { OPERATOR, type Principal } from '../auth/principal.js';
import type { RecordingEntry } from '../store/recording-entry.js';
import type { StateStore } from '../store/state-store.js';

/** One `recording.view` per person and recording in this long (a page reloaded, a live playlist polled). */
export const VIEW_WINDOW_MS = 5 * 60_000;
/** One `recording.download` per person and recording in this long, whatever ranges its player asks. */
export const DOWNLOAD_WINDOW_MS = 60 * 60_000;
/** A signed link that names nobody (made for no one, or before links named whom they were for). */
export const LINK_ACTOR: AuditActor = Object.freeze({ id: 'link', name: 'signed link', role: 'viewer' });

export type LookAction = 'recording.view' | 'recording.download';
/** Who looks: a principal (bearer or cookie), or a signed link and whom it was handed to. */
export type Looker = { p: Principal } | { link: { by?: string } };

const WINDOW_MS: Record<LookAction, number> = {
  'recording.view': VIEW_WINDOW_MS,
  'recording.download': DOWNLOAD_WINDOW_MS,
};

/**
 * Views and downloads of recordings in the audit trail: one entry per person (or link), recording and
 * window, whichever request of that look comes first (the replay page's GET, the playlist, any range
 * of the MP4). The store keeps one entry per key across replicas; the keys this replica recorded in
 * the current window are remembered so a player polling a live playlist costs no store round trip.
 */
export class RecordingLooks {
  /** key -> when its window ends (ms) */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly audit: AuditLog,
    private readonly accounts: Pick<StateStore, 'getAccount'>,
    private readonly now: () => number,
  ) {}

  async record(action: LookAction, e: RecordingEntry, who: Looker): Promise<void> {
    const now = this.now();
    const windowMs = WINDOW_MS[action];
    const window = Math.floor(now / windowMs);
    const actorId = 'p' in who ? actorOf(who.p).id : (who.link.by ?? LINK_ACTOR.id);
    const key = `${e.id}.${action === 'recording.view' ? 'view' : 'download'}.${actorId}.${window}`;
    for (const [k, until] of this.seen) if (until <= now) this.seen.delete(k);
    if (this.seen.has(key)) return;
    this.seen.set(key, (window + 1) * windowMs);
    const actor = 'p' in who ? actorOf(who.p) : await this.named(e.roomId, who.link.by);
    const via = 'p' in who ? 'bearer' : 'link';
    await this.audit.record(actor, action, e.roomId, 'ok', { recordingId: e.id, via }, key);
  }

  /** Whom a link was handed to, as the accounts or the room's trail know them; `link` when nobody. */
  private async named(roomId: string, by: string | undefined): Promise<AuditActor> {
    if (by === undefined) return LINK_ACTOR;
    if (by === ADMIN_ACCOUNT_ID) return actorOf(OPERATOR);
    const account = await this.accounts.getAccount(by).catch(() => null);
    if (account) return actorOf({ id: account.id, name: account.name, role: account.role });
    // a participant: their join names them; else the id alone, still the one the link was for
    return (await this.audit.known(roomId, by)) ?? actorOf({ ...LINK_ACTOR, id: by });
  }
}
