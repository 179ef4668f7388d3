import {
  AGENT_PROTOCOL_VERSION,
  type PatchRoomBody,
  type AgentState,
  type CreateRoomBody,
  type InviteRole,
  type JoinedRoom,
  type Room,
  type RoomLinks,
  type ResolvedRoomTimeouts,
  type RoomExpiry,
  type RecordPolicy,
  type RoomTemplate,
} from '@boxroom/contracts';
import { NO_AUDIT, type AuditLog } from '../audit/audit-log.js';
import { authorize, can } from '../auth/abilities.js';
import type { InviteService } from '../auth/invite-service.js';
import type { Principal } from '../auth/principal.js';
import type { RightsService } from '../auth/rights-service.js';
import type { TokenService } from '../auth/token-service.js';
import { errors } from '../errors.js';
import type { Logger } from '../logger.js';
import { roomEvents } from '../webhooks/room-events.js';
import { NO_WEBHOOKS, type WebhookSink } from '../webhooks/webhook-sink.js';
import type { AgentClient } from './agent-client.js';
import { AgentProtocols } from './agent-protocol.js';
import { freshRoomId, newRoomId } from './ids.js';
import { PoolTakeLost, type RoomPool } from './pool/room-pool.js';
import type { RightsPush } from './rights-push.js';
import type { RoomSettingsService } from './room-settings-service.js';
import { BUILT_IN_ONLY } from '../templates/built-in-templates.js';
import { RoomPatcher, type ExtendQuota } from './room-patch.js';
import { RoomViews } from './room-views.js';
import { RoomStatusWaiters, type StatusWait } from './room-status-waiters.js';
import { createdDetail, resolveCreate, templateFor } from './template-resolution.js';
import type { SettingsPush } from './settings-push.js';
import type { RoomLiveSettings } from '../store/state-store.js';
import {
  NO_TIMEOUTS,
  type RoomDriver,
  type RoomRecord,
  type RoomSpec,
  type RoomStatus,
} from './room-driver.js';

/**
 * Who the dashboard itself is when it asks an agent (the reaper's polls, keep-alives). Its tokens
 * carry the agent audience (TokenService.issueForAgent): worthless at the dashboard API.
 */
const DASHBOARD_PRINCIPAL = { sub: 'boxroom-dashboard', name: 'dashboard', role: 'operator' } as const;

export interface RoomManagerDeps {
  driver: RoomDriver;
  invites: InviteService;
  tokens: TokenService;
  agent: AgentClient;
  log: Logger;
  publicUrl: string;
  maxRooms: number;
  /** the recording policy of rooms created without one (BOXROOM_RECORD; default manual) */
  defaultRecord?: RecordPolicy;
  /**
   * told before a room's invite generations are forgotten (deleted, expired, failed): recordings
   * keep what they need to honour its invites after the room ended
   */
  roomEnding?: (id: string) => Promise<void>;
  /** timeouts of rooms created without their own (default: none) */
  defaultTimeouts?: ResolvedRoomTimeouts;
  webhooks?: WebhookSink;
  /** kicks and revocations, forgotten with the room */
  rights?: RightsService;
  /** tells an agent that (re)becomes ready what was taken away */
  rightsPush?: RightsPush;
  /** what each room's agent speaks (default: asked over HTTP) */
  protocols?: AgentProtocols;
  /** live settings (size, clipboard policy); without them a room has its created size and defaults */
  settings?: RoomSettingsService;
  /** tells an agent its live settings (on PATCH and when it becomes ready) */
  settingsPush?: SettingsPush;
  /** persistent profiles (ProfileService): taken around a create, freed once the room is gone; absent: none kept */
  profiles?: {
    holding<T>(
      spec: RoomSpec,
      create: () => Promise<T>,
      stillThere: (id: string) => Promise<boolean>,
    ): Promise<T>;
    release(spec: RoomSpec): Promise<void>;
  };
  /** per-creator quotas (QuotaService): admits (or refuses) creates and extends, told when rooms end */
  quotas?: ExtendQuota & {
    admitRoom<T>(p: Principal, spec: RoomSpec, create: (spec: RoomSpec) => Promise<T>): Promise<T>;
    roomEnded(id: string): Promise<void>;
  };
  /** the templates a create may name (TemplateService); default: the built-in ones */
  templates?: { find(id: string): RoomTemplate | null };
  /** the warm pool (BOXROOM_POOL) a create takes a room from; absent: every room starts cold */
  pool?: Pick<RoomPool, 'candidate' | 'take' | 'taken'>;
  /** where creates, updates, deletes and expiries are recorded (default: nowhere) */
  audit?: AuditLog;
  now?: () => number;
  newId?: () => string;
}

/**
 * Policy over a RoomDriver: ids, defaults, limits, ownership, who may see and do what, the links
 * handed out, and what follows when the driver reports a room's status (it follows the driver from
 * construction to close()). The driver only runs rooms.
 */
export class RoomManager {
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly webhooks: WebhookSink;
  private readonly protocols: AgentProtocols;
  private readonly audit: AuditLog;
  private readonly patcher: RoomPatcher;
  private readonly views: RoomViews;
  private readonly waiters = new RoomStatusWaiters();

  constructor(private readonly deps: RoomManagerDeps) {
    this.protocols = deps.protocols ?? new AgentProtocols(deps.log);
    this.audit = deps.audit ?? NO_AUDIT;
    this.now = deps.now ?? Date.now;
    this.newId = deps.newId ?? newRoomId;
    this.webhooks = deps.webhooks ?? NO_WEBHOOKS;
    this.views = new RoomViews({
      settings: deps.settings,
      agent: deps.agent,
      protocols: this.protocols,
      log: deps.log,
      links: (id) => this.links(id),
      agentToken: (p, id) => this.agentToken(p, id),
    });
    this.patcher = new RoomPatcher({
      ...deps,
      audit: this.audit,
      refuseOtherProtocol: (record) => this.refuseOtherProtocol(record),
    });
    deps.driver.on('status', this.onStatus);
  }

  /** Stops following the driver, which may outlive this manager (tests build several apps over one). */
  close(): void {
    this.deps.driver.off('status', this.onStatus);
  }

  async create(p: Principal | null, body: CreateRoomBody, fromPool = true): Promise<Room> {
    await this.audit.guard(p, 'room.create', null, () => authorize(p, 'create'));
    if (!p) throw errors.unauthorized();
    const existing = await this.deps.driver.list();
    if (existing.length >= this.deps.maxRooms)
      throw errors.conflict(`room limit reached (${this.deps.maxRooms})`);
    // the template first: a create it refuses (400) takes no room id
    const template = templateFor(body, this.deps.templates ?? BUILT_IN_ONLY, !!this.deps.profiles);
    const fromTemplate = resolveCreate(body, template, {
      record: this.deps.defaultRecord ?? 'manual',
      timeouts: this.deps.defaultTimeouts ?? NO_TIMEOUTS,
    });
    // a pooled room started with exactly what this create resolved to (no profile) is taken as is
    const pooled = fromPool && !body.profile ? (this.deps.pool?.candidate(fromTemplate) ?? null) : null;
    const id = pooled?.spec.id ?? (await freshRoomId(this.newId, this.deps.driver, existing));
    const spec: RoomSpec = {
      id,
      name: body.name?.trim() || `room ${id}`,
      ...fromTemplate,
      createdAt: this.now(),
      // Whoever creates a room owns it (abilities.ts): the admin credential ('operator') today, each
      // account its own rooms. The owner link is another thing: it makes its holder an owner in the room.
      ownerId: p.id,
      recordingsVisibleTo: body.recordingsVisibleTo ?? 'viewers',
      ...(body.profile ? { profile: body.profile } : {}),
    };
    const stillThere = async (roomId: string) => (await this.deps.driver.get(roomId)) !== null;
    const make = (s: RoomSpec) => {
      if (pooled) return this.deps.pool!.take(pooled, s);
      const run = () => this.deps.driver.create(s);
      return this.deps.profiles?.holding(s, run, stillThere) ?? run();
    };
    const record = await (this.deps.quotas?.admitRoom(p, spec, make) ?? make(spec)).catch((err: unknown) =>
      err instanceof PoolTakeLost
        ? null
        : this.audit.refused(p, 'room.create', null, err, { name: spec.name, template: spec.template }),
    );
    if (!record) return this.create(p, body, false); // its pooled room was taken meanwhile: cold
    // Only a policy that differs from the default is stored: the agent is told when it is ready.
    if (spec.clipboard && this.deps.settings) await this.deps.settings.set(id, this.deps.settings.of(spec));
    // never the start URL in the log: its query may carry a secret (the audit trail drops the query)
    this.deps.log.info(
      { room: id, by: p.id, pooled: !!pooled, ...createdDetail(record.spec), startUrl: undefined },
      'room created',
    );
    this.webhooks.emit(roomEvents.created(record.spec));
    if (pooled) this.deps.pool?.taken(record);
    await this.audit.record(p, 'room.create', id, 'ok', createdDetail(record.spec));
    return this.views.view(p, record);
  }

  /** Room-independent: the admin credential only (a room token has its own room's GET). */
  async list(p: Principal | null): Promise<Room[]> {
    authorize(p, 'list');
    const records = (await this.deps.driver.list()).filter((r) => can(p, 'read', r.spec));
    records.sort((a, b) => a.spec.createdAt - b.spec.createdAt);
    return Promise.all(records.map((r) => this.views.liveView(p, r)));
  }

  /** `wait`: a starting room is answered once its status moves (or the wait runs out), not at once. */
  async get(p: Principal | null, id: string, wait?: StatusWait): Promise<Room> {
    if (!p) throw errors.unauthorized();
    let record = await this.require(id);
    authorize(p, 'read', record.spec);
    if (wait && record.status === 'starting')
      record = await this.waiters.settled(id, wait, () => this.require(id));
    return this.views.liveView(p, record);
  }

  /**
   * Changes a room's live settings (owner or operator): a ready room's agent applies them first (it
   * refuses a size its screen cannot take: 409), then they are stored; a starting room is told when
   * it is ready. Answers the room as GET does.
   */
  async patch(p: Principal | null, id: string, body: PatchRoomBody): Promise<Room> {
    if (!p) throw errors.unauthorized();
    const record = await this.require(id);
    await this.audit.guard(p, 'room.update', id, () => authorize(p, 'settings', record.spec));
    await this.patcher.apply(p, record, body);
    return this.views.liveView(p, (await this.deps.driver.get(id)) ?? record);
  }

  async delete(p: Principal | null, id: string): Promise<void> {
    if (!p) throw errors.unauthorized();
    const record = await this.require(id);
    await this.audit.guard(p, 'room.delete', id, () => authorize(p, 'delete', record.spec));
    await this.tearDown(record);
    this.deps.log.info({ room: id, by: p.id }, 'room deleted');
    this.webhooks.emit(roomEvents.deletedByRequest(id, this.now(), p.id));
    await this.audit.record(p, 'room.delete', id, 'ok', { name: record.spec.name });
  }

  /**
   * Every room, unfiltered: for the dashboard's own housekeeping (the reaper). Its sweeps are also
   * how a restarted dashboard learns, within one poll, which rooms it found speak another protocol.
   */
  async records(): Promise<RoomRecord[]> {
    const records = await this.deps.driver.list();
    for (const r of records) if (r.status === 'ready') void this.protocols.of(r);
    return records;
  }

  /** The agent's view of a room, asked as the dashboard itself (this also tells it we are alive). */
  async observe(record: RoomRecord, sinceSeq = 0): Promise<AgentState> {
    if (!record.agentUrl) throw errors.roomUnavailable(record.spec.id);
    await this.refuseOtherProtocol(record);
    const token = await this.deps.tokens.issueForAgent({ ...DASHBOARD_PRINCIPAL, room: record.spec.id });
    return this.deps.agent.state(record.spec.id, record.agentUrl, token, sinceSeq);
  }

  /** A room's time is up: deleted through the driver like any other, and announced. */
  async expire(id: string, expiry: RoomExpiry): Promise<void> {
    const record = await this.deps.driver.get(id);
    if (!record) return;
    this.deps.log.info({ room: id, reason: expiry.reason }, 'room expired: deleting');
    await this.tearDown(record);
    this.deps.log.info({ room: id, reason: expiry.reason }, 'room deleted');
    this.webhooks.emit(roomEvents.expired(id, this.now(), expiry.reason));
    // keyed: a reaper that took over mid-expiry (another replica) records it once
    await this.audit.record('system', 'room.expire', id, 'ok', { reason: expiry.reason }, `${id}.expire`);
  }

  /** A room that failed and stayed failed for the grace period: deleted and announced. */
  async removeFailed(id: string, failedAt: number): Promise<void> {
    const record = await this.deps.driver.get(id);
    if (!record || record.status !== 'failed') return;
    const failure = record.failure ?? null;
    this.deps.log.warn({ room: id, failedAt, failure }, 'room failed and did not come back: deleting');
    await this.tearDown(record);
    this.deps.log.info({ room: id, reason: 'failed' }, 'room deleted');
    this.webhooks.emit(roomEvents.failed(id, this.now(), failedAt, failure));
    await this.audit.record('system', 'room.expire', id, 'ok', { reason: 'failed' }, `${id}.expire`);
  }

  /**
   * A status the driver reports (its moves follow contracts' ROOM_STATUS_MOVES). Ready: announced
   * (`room.ready`, whose id is per room, so a room ready again after a failure is deduplicated by
   * receivers), told its kicks and revocations and asked its protocol.
   */
  private readonly onStatus = (id: string, status: RoomStatus): void => {
    this.waiters.moved(id, status);
    this.deps.log.info({ room: id, status }, 'room status');
    if (status !== 'ready') return;
    this.webhooks.emit(roomEvents.ready(id, this.now()));
    // A (re)started agent knows no kicks or revocations: tell it before anyone reconnects for long.
    void this.deps.rightsPush?.push(id);
    // learn its protocol now, not in the first viewer's request; then its live settings, which a
    // (re)started agent does not know (it starts at its created size with the default policy)
    void this.require(id)
      .then(async (r) => {
        const protocol = await this.protocols.of(r);
        if (protocol?.compatible !== false) await this.deps.settingsPush?.sync(r);
      })
      .catch(() => {});
  };

  /**
   * What every end of a room does (delete, expiry, failure): the driver removes it, then its profile
   * is freed and what was kept for it forgotten (the recordings keep what they need first).
   */
  private async tearDown(record: RoomRecord): Promise<void> {
    const id = record.spec.id;
    await this.deps.driver.delete(id);
    await this.deps.quotas?.roomEnded(id);
    await this.deps.profiles?.release(record.spec);
    // their failure never stops the delete
    await this.deps
      .roomEnding?.(id)
      .catch((err: unknown) => this.deps.log.error({ room: id, err }, 'recordings could not note the end'));
    await this.deps.invites.forget(id);
    await this.deps.rights?.forget(id);
    this.protocols.forget(id);
  }

  async require(id: string): Promise<RoomRecord> {
    const record = await this.deps.driver.get(id);
    if (!record) throw errors.roomNotFound(id);
    return record;
  }

  /**
   * Where to reach a room's agent; `not_found` for unknown rooms, `gone` for a failed room whose agent
   * is gone (it will not come back: only the grace period before its removal is left), `unavailable`
   * when not running right now (starting, stopping, unhealthy), `conflict` when its agent speaks another
   * protocol. `protocol: 'known'` refuses only what is known already and learns the rest in the
   * background: for a WebSocket whose client may speak first (its messages would be lost while the
   * dashboard asks the agent).
   */
  async agentUrl(id: string, protocol: 'ask' | 'known' = 'ask'): Promise<string> {
    const record = await this.require(id);
    if (record.status === 'failed' && !record.agentUrl) throw errors.roomFailed(id);
    if (!record.agentUrl || record.status === 'failed' || record.status === 'stopping') {
      throw errors.roomUnavailable(id);
    }
    await this.refuseOtherProtocol(record, protocol);
    return record.agentUrl;
  }

  /**
   * A ready room whose agent speaks another protocol (started by another build of the dashboard) is
   * listed but not driven: a request the agent would misread is refused here instead.
   */
  private async refuseOtherProtocol(record: RoomRecord, how: 'ask' | 'known' = 'ask'): Promise<void> {
    if (record.status !== 'ready') return;
    const known = this.protocols.known(record);
    if (known === undefined && how === 'known') void this.protocols.of(record);
    const protocol = known ?? (how === 'ask' ? await this.protocols.of(record) : null);
    if (protocol && !protocol.compatible)
      throw errors.conflict(
        `room ${record.spec.id} runs agent protocol ${protocol.version ?? '(none)'}, this dashboard speaks ` +
          `${AGENT_PROTOCOL_VERSION}: delete and recreate the room`,
      );
  }

  /**
   * The token to call a room's agent with on a caller's behalf: a room token as is (it is for that
   * room: callers authorize first), for the admin credential a short agent-audience token we mint.
   */
  async agentToken(p: Principal, roomId: string): Promise<string> {
    if (p.room !== null) {
      if (p.room !== roomId || !p.token) throw errors.forbidden('this token is for another room');
      return p.token;
    }
    return this.commandToken(p, roomId);
  }

  /**
   * An agent-audience token naming the caller, for commands the dashboard sends on their behalf
   * (a desktop reset): the agent accepts it from the dashboard only, whatever the caller's role.
   */
  commandToken(p: Principal, roomId: string): Promise<string> {
    return this.deps.tokens.issueForAgent({ sub: p.id, room: roomId, role: p.role, name: p.name });
  }

  links(id: string): RoomLinks {
    const link = (role: InviteRole) =>
      `${this.deps.publicUrl}/r/${id}#invite=${this.deps.invites.secret(id, role)}`;
    return { participant: link('participant'), viewer: link('viewer'), owner: link('owner') };
  }

  /** What anyone holding an invite may know of a room (the join answer carries it). */
  summary(r: RoomRecord): JoinedRoom {
    return this.views.summary(r);
  }

  /** The room's size and policies in force now (PATCH /api/rooms/:id changes them). */
  liveSettings(spec: RoomSpec): RoomLiveSettings {
    return this.views.liveSettings(spec);
  }

  /** The room's timeouts in force now: an extend (PATCH) over those it was created with. */
  timeoutsOf(spec: RoomSpec): ResolvedRoomTimeouts {
    return this.views.timeoutsOf(spec);
  }
}
