import type { ReactiveController, ReactiveControllerHost } from 'lit';
import {
  ApiClient,
  ApiError,
  edgeUrl,
  inviteFromHash,
  isEndedJoin,
  type AnyJoinResult,
  type EndedRoomJoinResult,
  type JoinResult,
  type RoomStatus,
} from '../core/api-client.js';
import { ROOM_WAIT_MAX_MS } from '@boxroom/contracts';
import { Backoff } from '../core/backoff.js';
import { joinErrorMessage } from '../core/close-reasons.js';
import { rememberName, rememberedName } from '../core/display-name.js';
import type { EarlyJoin } from '../core/early-join.js';
import type { PlayerSettings } from '../core/settings.js';
import { streamPrefetch } from '../core/stream-prefetch.js';
import { TokenRenewal } from '../core/token-renewal.js';
import type { SessionController } from './session-controller.js';

/**
 * While the room starts, the page holds one `GET /api/rooms/:id?wait=` at a time: the dashboard answers
 * the moment the room's status moves (polling every 100 ms cost up to that much of a cold start, and a
 * request each time). Any other status is answered at once, so a failed room (which may come back: its
 * container restarts) or a stopping one (until it is gone: 404) is asked at this interval, not in a
 * loop; a request that failed is tried again with backoff.
 */
const NOT_STARTING_RECHECK_MS = 1000;
const retryBackoff = (): Backoff =>
  new Backoff({ baseMs: 200, maxMs: 5000, quickCapMs: 1000, quickAttempts: 5 });

/**
 * name: the form; joining: the join is under way; fatal: a link that cannot work; room: joined;
 * ended: the room has ended and the join gave a token for its recordings (the link keeps working).
 */
export type JoinPhase = 'name' | 'joining' | 'fatal' | 'room' | 'ended';

export interface JoinControllerOptions {
  /** the room of the page (set before the host is connected) */
  roomId: () => string;
  /** the player's transport, which picks the stream URL */
  transport: () => PlayerSettings['transport'];
  /** the session socket, started on entering the room and told about renewed tokens */
  session: SessionController;
  /** in the room after a join; `ready`: the room already publishes (the stream can start at once) */
  entered?: (ready: boolean) => void;
  /** joined again after the token was refused: the stream and input start over with the new token */
  rejoined?: () => void;
}

/**
 * The room page's way in: the invite (from the fragment, never a query string) and a name exchanged for
 * a token, kept fresh, and exchanged again when it is refused. A returning participant (a remembered
 * name) joins at once, with no form, taking the join main.ts already sent (`earlyJoin`); the join's
 * answer says whether the room is ready, so the stream starts with no further round trip (a starting
 * room is polled until it publishes).
 */
export class JoinController implements ReactiveController {
  phase: JoinPhase;
  /** why the page is not in the room (shown by the join form) */
  error: string | null;
  join: JoinResult | null = null;
  /** the room has ended: a token for its recordings (phase `ended`) */
  ended: EndedRoomJoinResult | null = null;
  roomName = '';
  /** the room publishes: the player may start */
  ready = false;
  displayName = rememberedName() ?? '';
  /** the join main.ts already sent for a returning participant: taken instead of sending another */
  earlyJoin: EarlyJoin | null = null;

  private readonly invite = inviteFromHash(location.hash);
  private readyTimer: ReturnType<typeof setTimeout> | null = null;
  private retry = retryBackoff();
  /** the page left: an answer still in flight changes nothing */
  private left = false;
  private autoJoined = false;
  /**
   * Renews the token before it expires: new connections use the new one, the open ones learn it over
   * the session socket. Refused (kicked, invite revoked): the agent closes the sockets and says why.
   */
  private readonly renewal = new TokenRenewal({
    renew: () => this.api().renewToken(this.o.roomId()),
    onToken: (r) => {
      this.set({ join: { ...this.join!, token: r.token, expiresAt: r.expiresAt } });
      this.o.session.renew(r.token);
    },
    onRefused: () => {},
  });

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly o: JoinControllerOptions,
  ) {
    this.phase = !this.invite ? 'fatal' : this.displayName ? 'joining' : 'name';
    this.error = this.invite ? null : 'This link has no invite. Ask for the full room link.';
    host.addController(this);
  }

  hostConnected(): void {
    // a returning participant: join now (room-id is set before the element is connected)
    if (this.phase !== 'joining' || this.autoJoined) return;
    this.autoJoined = true;
    const early = this.earlyJoin;
    this.earlyJoin = null;
    if (early) this.displayName = early.name;
    void this.enter(early?.result);
  }

  hostDisconnected(): void {
    this.left = true;
    if (this.readyTimer) clearTimeout(this.readyTimer);
    this.readyTimer = null;
    this.renewal.stop();
  }

  /** The API with the page's token (joined only). */
  api(): ApiClient {
    return new ApiClient(this.join!.token);
  }

  readonly streamUrl = (): string => {
    const ws = this.o.transport() === 'ws';
    return this.edge(ws ? 'stream' : 'stream.flv', ws);
  };

  readonly inputUrl = (): string => this.edge('input', true);

  /** The name form was sent: remember the name and join with it. */
  submitName(name: string): void {
    this.displayName = name;
    rememberName(name);
    void this.enter();
  }

  /** Back to the name form: the room's connections close until a new name is sent (or it is cancelled). */
  changeName(): void {
    this.o.session.stop();
    this.set({ phase: 'name' });
  }

  cancelName(): void {
    this.set({ phase: 'room' });
    this.startSession();
  }

  private edge(path: Parameters<typeof edgeUrl>[2], ws: boolean): string {
    return edgeUrl(location.origin, this.o.roomId(), path, this.join!.token, ws);
  }

  private set(
    patch: Partial<Pick<JoinController, 'phase' | 'error' | 'join' | 'ended' | 'roomName' | 'ready'>>,
  ): void {
    Object.assign(this, patch);
    this.host.requestUpdate();
  }

  /**
   * Join as `displayName` (or take the answer of a join already sent), then into the room: the session
   * and (a ready room) the stream start together.
   */
  private async enter(sent?: Promise<AnyJoinResult>): Promise<void> {
    this.set({ phase: 'joining', error: null });
    if ((await this.doJoin(sent)) !== 'room') return;
    // a ready room: ask for the stream now, while the room renders and the player opens Media Source
    if (this.join!.room.status === 'ready' && this.o.transport() === 'http')
      streamPrefetch.start(this.streamUrl());
    this.set({ phase: 'room' });
    this.startSession();
    this.follow(this.join!.room);
    this.o.entered?.(this.ready);
  }

  private startSession(): void {
    this.o.session.start(
      () => this.edge('session', true),
      () => void this.rejoin(),
    );
  }

  /**
   * POST join (or the answer of `sent`): `room` when joined, `ended` when the room has ended (the page
   * then lists its recordings), false (with the page showing why) when it failed.
   */
  private async doJoin(sent?: Promise<AnyJoinResult>): Promise<'room' | 'ended' | false> {
    try {
      const join = await (sent ?? new ApiClient(null).join(this.o.roomId(), this.invite!, this.displayName));
      if (isEndedJoin(join)) {
        this.showEnded(join);
        return 'ended';
      }
      this.set({ join });
      this.renewal.start(join.expiresAt);
      return 'room';
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(0, null, String(err));
      this.set({
        error: joinErrorMessage(e.status, e.code, e.message),
        // a bad or revoked link cannot be fixed by retrying; a busy room or network error can
        phase: e.status === 0 || e.status === 409 || e.status >= 500 ? 'name' : 'fatal',
      });
      return false;
    }
  }

  /**
   * The room was deleted while the page was in it: join again with the same invite, which (the room
   * having ended) answers with a token for its recordings, and the page lists them.
   */
  async afterRoomEnded(): Promise<void> {
    if (this.phase !== 'room' || !this.invite) return;
    // a failure leaves the page as it is: its banner already says the room is gone
    const join = await new ApiClient(null)
      .join(this.o.roomId(), this.invite, this.displayName)
      .catch(() => null);
    if (join && isEndedJoin(join) && this.phase === 'room') this.showEnded(join);
  }

  private showEnded(ended: EndedRoomJoinResult): void {
    this.o.session.stop();
    this.renewal.stop();
    if (this.readyTimer) clearTimeout(this.readyTimer);
    this.readyTimer = null;
    this.set({ ended, phase: 'ended', roomName: ended.room.name, ready: false });
    document.title = `${ended.room.name} · recordings · boxroom`;
  }

  /** The token was refused (expired): join again with the same invite and reconnect everything. */
  private async rejoin(): Promise<void> {
    if ((await this.doJoin()) !== 'room') return;
    this.set({ phase: 'room' });
    this.o.session.reconnect();
    this.o.rejoined?.();
  }

  /**
   * The player starts only once the room publishes (a player that connects earlier may never start):
   * at once when the join found it ready, else when a held request says it moved.
   */
  private follow(room: { name: string; status: RoomStatus }): void {
    if (this.readyTimer) clearTimeout(this.readyTimer);
    this.readyTimer = null;
    this.set({ roomName: room.name });
    document.title = `${room.name} · boxroom`;
    if (room.status === 'ready') {
      // it just turned ready: ask for the stream while the player is being made
      if (!this.ready && this.o.transport() === 'http') streamPrefetch.start(this.streamUrl());
      this.set({ ready: true });
      return;
    }
    const failed = room.status === 'failed';
    if (failed || room.status === 'stopping') {
      this.set({
        error: `This room is ${failed ? 'not running (it failed to start)' : 'shutting down'}.`,
      });
    }
    const holds = room.status === 'starting';
    this.readyTimer = setTimeout(() => void this.ask(), holds ? 0 : NOT_STARTING_RECHECK_MS);
  }

  /** The room's status, held by the dashboard while the room is starting. */
  private async ask(): Promise<void> {
    this.readyTimer = null;
    try {
      const room = await this.api().getRoom(this.o.roomId(), ROOM_WAIT_MAX_MS);
      if (this.left) return;
      this.retry = retryBackoff();
      this.follow(room);
    } catch (err) {
      if (this.left) return;
      if (err instanceof ApiError && err.status === 404) {
        // ended while it started: the join now answers with its recordings, if there are any
        if ((await this.doJoin()) === 'ended') return;
        this.set({ phase: 'fatal', error: 'This room does not exist (any more).' });
        return;
      }
      this.readyTimer = setTimeout(() => void this.ask(), this.retry.next());
    }
  }
}
