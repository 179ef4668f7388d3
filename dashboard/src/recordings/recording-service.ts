import { mkdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import {
  INVITE_ROLES,
  type EndedRoomJoinResult,
  type InviteRole,
  type JoinBody,
  type Recording,
  type RecordingTimelineEntry,
} from '@boxroom/contracts';
import { actorOf } from '../audit/audit-actor.js';
import { NO_AUDIT, type AuditLog } from '../audit/audit-log.js';
import { authorize } from '../auth/abilities.js';
import type { InviteService } from '../auth/invite-service.js';
import type { Principal } from '../auth/principal.js';
import type { TokenService } from '../auth/token-service.js';
import { AppError, errors } from '../errors.js';
import type { Logger } from '../logger.js';
import { newParticipantId } from '../rooms/ids.js';
import type { RoomManager } from '../rooms/room-manager.js';
import type { RoomSpec } from '../rooms/room-driver.js';
import type { StateStore } from '../store/state-store.js';
import type { WebhookSink } from '../webhooks/webhook-sink.js';
import { canWatch, requireManage, requireWatch } from './recording-access.js';
import type { RecordingEntry } from '../store/recording-entry.js';
import type { RecordingLinkSigner } from './recording-links.js';
import { RecordingLooks, type LookAction } from './recording-looks.js';
import type { RecordingMedia } from './recording-media.js';
import { readTimeline } from './recording-timeline.js';
import type { RecorderPool } from './recorder-pool.js';

/** A stop asked through a replica that does not run the recorder waits this long for the one that does. */
const REMOTE_STOP_WAIT_MS = 8_000;

export const newRecordingId = (): string => `rec${randomBytes(8).toString('hex')}`;

/**
 * Recordings' policy: who starts, stops, sees and deletes what; their views with signed links; the
 * join of a room that ended. The recorders themselves run in the RecorderPool.
 */
export class RecordingService {
  private readonly looks: RecordingLooks;

  constructor(
    private readonly d: {
      store: StateStore;
      rooms: RoomManager;
      pool: RecorderPool;
      media: RecordingMedia;
      links: RecordingLinkSigner;
      invites: InviteService;
      tokens: TokenService;
      webhooks: WebhookSink;
      log: Logger;
      /** starts, stops, deletes, views and downloads are recorded here */
      audit?: AuditLog;
      /** per-creator quotas: refuses a start while the creator's recordings hold their limit */
      quotas?: { admitRecording(spec: RoomSpec): Promise<void> };
      now?: () => number;
    },
  ) {
    this.looks = new RecordingLooks(this.audit, d.store, () => this.now());
  }

  private get audit(): AuditLog {
    return this.d.audit ?? NO_AUDIT;
  }

  private now(): number {
    return (this.d.now ?? Date.now)();
  }

  async start(p: Principal | null, roomId: string, by?: string): Promise<Recording> {
    const record = await this.d.rooms.require(roomId);
    if (p) await this.audit.guard(p, 'recording.start', roomId, () => authorize(p, 'record', record.spec));
    if ((record.spec.record ?? 'manual') === 'off')
      throw errors.conflict(`room ${roomId} is not recorded: its policy is "off"`);
    if (record.status !== 'ready') throw errors.roomUnavailable(roomId);
    await this.d.quotas
      ?.admitRecording(record.spec)
      .catch((err: unknown) => this.audit.refused(p, 'recording.start', roomId, err));
    const entry: RecordingEntry = {
      id: newRecordingId(),
      roomId,
      roomName: record.spec.name,
      ownerId: record.spec.ownerId,
      visibleTo: record.spec.recordingsVisibleTo ?? 'viewers',
      state: 'recording',
      startedAt: this.now(),
      endedAt: null,
      endReason: null,
      startedBy: by ?? p?.id ?? 'policy',
      durationS: 0,
      bytes: 0,
      parts: [],
      roomInvites: null,
    };
    await mkdir(this.d.media.dirOf(entry.id), { recursive: true });
    if (!(await this.d.store.insertRecording(entry))) throw errors.alreadyRecording(roomId);
    this.d.log.info({ recording: entry.id, room: roomId, by: entry.startedBy }, 'recording started');
    this.d.webhooks.emit({
      id: `${entry.id}.started`,
      type: 'recording.started',
      at: entry.startedAt,
      room: roomId,
      data: { recordingId: entry.id, by: entry.startedBy },
    });
    this.d.pool.wake();
    // the room policy's own start is the dashboard's doing
    await this.audit.record(p ?? 'system', 'recording.start', roomId, 'ok', {
      recordingId: entry.id,
      by: entry.startedBy,
    });
    return this.view(entry, p);
  }

  /**
   * `always` rooms: started once, when the pool sees the room ready without any recording yet.
   * Not again after any end (a stop, a limit, a fault): the pool starts only rooms with none.
   */
  async startByPolicy(roomId: string): Promise<void> {
    await this.start(null, roomId, 'policy').catch((err: unknown) => {
      // a quota refusal is logged where it refuses (and the pool asks again every few seconds)
      if (!(err instanceof AppError && (err.code === 'already_recording' || err.code === 'quota_exceeded')))
        this.d.log.warn({ err, room: roomId }, 'could not start the recording the room policy asks for');
    });
  }

  async stop(p: Principal | null, roomId: string): Promise<Recording> {
    const record = await this.d.rooms.require(roomId);
    await this.audit.guard(p, 'recording.stop', roomId, () => authorize(p, 'record', record.spec));
    const entry = (await this.d.store.listRecordings()).find(
      (e) => e.roomId === roomId && e.state === 'recording',
    );
    if (!entry) throw errors.notRecording(roomId);
    const ended = await this.end(entry, 'stopped');
    await this.audit.record(p!, 'recording.stop', roomId, 'ok', {
      recordingId: entry.id,
      durationS: ended.durationS,
      bytes: ended.bytes,
    });
    return this.view(ended, p);
  }

  /** Stops a running recording, here or through the replica that runs it; resolves with its entry. */
  private async end(entry: RecordingEntry, reason: string): Promise<RecordingEntry> {
    const here = this.d.pool.local(entry.id);
    if (here) return here.stop('complete', reason);
    await this.d.store.updateRecording({ ...entry, stopRequested: reason });
    this.d.pool.wake();
    const until = Date.now() + REMOTE_STOP_WAIT_MS;
    for (;;) {
      const now = await this.d.store.getRecording(entry.id);
      if (!now || now.state !== 'recording' || Date.now() > until) return now ?? entry;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async list(p: Principal | null, roomId?: string): Promise<Recording[]> {
    if (!p) throw errors.unauthorized();
    if (p.room !== null && roomId !== undefined && roomId !== p.room)
      throw errors.forbidden('this token is for another room');
    const all = await this.d.store.listRecordings();
    return all
      .filter((e) => (roomId === undefined || e.roomId === roomId) && canWatch(p, e))
      .map((e) => this.view(e, p));
  }

  /**
   * One recording with fresh signed links: what a player asks before it plays (the replay page), so
   * a viewing is recorded here (`recording.view`) as well as where its playlist is served; asking
   * again and again (a script waiting for the end) is one viewing per VIEW_WINDOW_MS.
   */
  async get(p: Principal | null, id: string): Promise<Recording> {
    const entry = requireWatch(p, await this.d.store.getRecording(id), id);
    await this.looks.record('recording.view', entry, { p: p! });
    return this.view(entry, p);
  }

  /**
   * Its playlist was served (`recording.view`) or its MP4, any range of it (`recording.download`):
   * one entry per person, recording and window (recording-looks.ts). Through a signed link the actor
   * is whom the link was handed to; a bearer's request, the bearer.
   */
  async looked(
    action: LookAction,
    p: Principal | null,
    e: RecordingEntry,
    q: { exp?: unknown; sig?: unknown; by?: unknown },
  ): Promise<void> {
    const linked = q.sig !== undefined && this.d.links.verify(e.id, q.exp, q.sig, q.by);
    if (!linked && !p) return; // forMedia let neither through
    const by = typeof q.by === 'string' ? q.by : undefined;
    await this.looks.record(action, e, linked ? { link: by !== undefined ? { by } : {} } : { p: p! });
  }

  async delete(p: Principal | null, id: string): Promise<void> {
    const found = await this.d.store.getRecording(id);
    let entry = found!;
    await this.audit.guard(p, 'recording.delete', found?.roomId ?? null, () => {
      entry = requireManage(p, found, id);
    });
    if (entry.state === 'recording') await this.end(entry, 'deleted');
    await this.remove(id);
    this.d.log.info({ recording: id, room: entry.roomId, by: p!.id }, 'recording deleted');
    await this.audit.record(p!, 'recording.delete', entry.roomId, 'ok', { recordingId: id });
  }

  /** Index entry and files (retention uses it too). */
  async remove(id: string): Promise<void> {
    await this.d.store.deleteRecording(id);
    await this.d.media.remove(id);
  }

  async timeline(p: Principal | null, id: string): Promise<RecordingTimelineEntry[]> {
    requireWatch(p, await this.d.store.getRecording(id), id);
    return readTimeline(this.d.media.dirOf(id));
  }

  /**
   * A recording's entry for its media routes: a signature of it (links as handed out), or a
   * principal who may watch it.
   */
  async forMedia(
    p: Principal | null,
    id: string,
    q: { exp?: unknown; sig?: unknown; by?: unknown },
  ): Promise<RecordingEntry> {
    const entry = await this.d.store.getRecording(id);
    if (q.sig !== undefined && this.d.links.verify(id, q.exp, q.sig, q.by)) {
      if (!entry) throw errors.recordingNotFound(id);
      return entry;
    }
    if (!p) throw errors.unauthorized('missing or expired signature, and no bearer');
    return requireWatch(p, entry, id);
  }

  /** The signature segment URIs in a playlist carry (that of the request, or a fresh one). */
  signatureFor(id: string, q: { exp?: unknown; sig?: unknown; by?: unknown }): string {
    if (typeof q.sig === 'string' && this.d.links.verify(id, q.exp, q.sig, q.by))
      return this.d.links.query({
        exp: Number(q.exp),
        sig: q.sig,
        ...(typeof q.by === 'string' ? { by: q.by } : {}),
      });
    return this.d.links.query(this.d.links.sign(id));
  }

  /** The room ends (deleted, expired, failed): its running recording stops, its invites are kept. */
  async roomEnding(roomId: string): Promise<void> {
    const invites = Object.fromEntries(
      INVITE_ROLES.map((r) => [r, this.d.invites.generation(roomId, r)]),
    ) as Record<InviteRole, number>;
    for (const e of await this.d.store.listRecordings()) {
      if (e.roomId !== roomId) continue;
      const ended = e.state === 'recording' ? await this.end(e, 'room-ended') : e;
      const fresh = (await this.d.store.getRecording(ended.id)) ?? ended;
      await this.d.store.updateRecording({ ...fresh, roomInvites: invites });
    }
  }

  /**
   * POST /api/rooms/:id/join for a room that ended: an invite that was valid for it (at its last
   * generation) gets a token for its recordings only. not_found when nothing of the room is kept.
   */
  async endedJoin(roomId: string, body: JoinBody): Promise<EndedRoomJoinResult> {
    const entries = (await this.d.store.listRecordings()).filter(
      (e) => e.roomId === roomId && e.roomInvites !== null,
    );
    const kept = entries[0];
    if (!kept?.roomInvites) throw errors.roomNotFound(roomId);
    const role = this.d.invites.matchAt(roomId, body.invite, kept.roomInvites);
    if (!role) throw errors.unauthorized('invite is invalid or has been revoked');
    const { token, claims } = await this.d.tokens.issue({
      sub: newParticipantId(),
      room: roomId,
      role,
      name: body.name.trim(),
    });
    return {
      ended: true,
      token,
      role,
      expiresAt: new Date(claims.exp * 1000).toISOString(),
      room: { id: roomId, name: kept.roomName },
    };
  }

  /** `p`: whom its signed links are handed to (the audit trail names them when a player uses one). */
  view(e: RecordingEntry, p: Principal | null = null): Recording {
    return {
      id: e.id,
      roomId: e.roomId,
      roomName: e.roomName,
      state: e.state,
      startedAt: new Date(e.startedAt).toISOString(),
      endedAt: e.endedAt === null ? null : new Date(e.endedAt).toISOString(),
      durationS: e.durationS,
      bytes: e.bytes,
      links: this.d.links.links(e.id, p ? actorOf(p).id : undefined),
    };
  }
}
