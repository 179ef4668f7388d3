import { LitElement, css, html, nothing } from 'lit';
import { isModerator } from '@boxroom/contracts';
import { SessionController } from '../controllers/session-controller.js';
import type { PlayerStats } from '../controllers/player-controller.js';
import {
  ApiClient,
  ApiError,
  edgeUrl,
  inviteFromHash,
  type JoinResult,
  type RoomStatus,
} from '../core/api-client.js';
import { joinErrorMessage } from '../core/close-reasons.js';
import { rememberName, rememberedName } from '../core/display-name.js';
import type { EarlyJoin } from '../core/early-join.js';
import { streamPrefetch } from '../core/stream-prefetch.js';
import { holderLabel } from '../core/session-state.js';
import { loadSettings, saveSettings, type PlayerSettings } from '../core/settings.js';
import { TokenRenewal } from '../core/token-renewal.js';
import { controls } from '../styles/shared.js';
import type { ControlActionDetail } from './br-control-panel.js';
import type { KickDetail } from './br-presence-list.js';
import type { BrVideoStage } from './br-video-stage.js';
import './br-control-panel.js';
import './br-invite-links.js';
import './br-desktop-reset.js';
import './br-join-form.js';
import './br-latency-readout.js';
import './br-player-settings.js';
import './br-presence-list.js';
import './br-video-stage.js';

/**
 * While the room starts, its status is asked this often (a starting room takes ~1-2 s; 400 ms cost ~165 ms
 * of cold start on average). A held request (GET /api/rooms/:id?wait=, like the agent's /healthz?wait=)
 * would answer at the moment instead: a follow-up.
 */
const READY_POLL_MS = 100;
/**
 * The side panels are rendered once the picture shows, at most this long after entering the room: their
 * first layout (font lookups, mostly: a sync call to the browser per font and size) would otherwise
 * come before the first frame.
 */
const PANELS_WAIT_MS = 1000;

type Phase = 'name' | 'joining' | 'fatal' | 'room';

/**
 * `/r/:id#invite=...`: exchange the invite (from the fragment, never a query string) and a name for a
 * token, then the stage, control, people and latency. A returning participant (a remembered name)
 * joins at once, with no form; the join's answer says whether the room is ready, so the stream starts
 * with no further round trip (a starting room is polled until it publishes).
 */
export class BrRoomPage extends LitElement {
  static override properties = {
    roomId: { attribute: 'room-id' },
    phase: { state: true },
    error: { state: true },
    join: { state: true },
    roomName: { state: true },
    ready: { state: true },
    controlBusy: { state: true },
    controlError: { state: true },
    settings: { state: true },
    stats: { state: true },
    panels: { state: true },
  };
  declare roomId: string;
  declare phase: Phase;
  declare error: string | null;
  declare join: JoinResult | null;
  declare roomName: string;
  declare ready: boolean;
  declare controlBusy: boolean;
  declare controlError: string | null;
  declare settings: PlayerSettings;
  declare stats: PlayerStats | null;
  declare panels: boolean;
  /** the join main.ts already sent for a returning participant: taken instead of sending another */
  earlyJoin: EarlyJoin | null = null;

  private readonly session = new SessionController(this);
  private readonly invite = inviteFromHash(location.hash);
  private displayName = rememberedName() ?? '';
  private readyTimer: ReturnType<typeof setTimeout> | null = null;
  private panelsTimer: ReturnType<typeof setTimeout> | null = null;
  private autoJoined = false;
  /**
   * Renews the token before it expires: new connections use the new one, the open ones learn it over
   * the session socket. Refused (kicked, invite revoked): the agent closes the sockets and says why.
   */
  private readonly renewal = new TokenRenewal({
    renew: () => new ApiClient(this.join!.token).renewToken(this.roomId),
    onToken: (r) => {
      this.join = { ...this.join!, token: r.token, expiresAt: r.expiresAt };
      this.session.renew(r.token);
    },
    onRefused: () => {},
  });

  constructor() {
    super();
    this.roomId = '';
    this.phase = !this.invite ? 'fatal' : this.displayName ? 'joining' : 'name';
    this.error = this.invite ? null : 'This link has no invite. Ask for the full room link.';
    this.join = null;
    this.roomName = '';
    this.ready = false;
    this.controlBusy = false;
    this.controlError = null;
    this.settings = loadSettings();
    this.stats = null;
    this.panels = false;
  }

  static override styles = [
    controls,
    css`
      :host {
        display: flex;
        flex-direction: column;
        height: 100vh;
        height: 100dvh;
      }
      header {
        display: flex;
        align-items: center;
        gap: 0.75rem;
        padding: 0.6rem 1rem;
        border-bottom: 1px solid var(--line);
        background: var(--panel);
        min-width: 0;
      }
      .brand {
        font-weight: 700;
        display: flex;
        align-items: center;
        gap: 0.45rem;
      }
      .brand i {
        width: 16px;
        height: 12px;
        border-radius: 3px;
        background: var(--accent);
        display: inline-block;
      }
      .title {
        font-weight: 600;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
        min-width: 0;
      }
      .you {
        display: flex;
        align-items: center;
        gap: 0.3rem;
        min-width: 0;
        max-width: 14rem;
        flex-shrink: 1;
      }
      .you .name {
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .you svg {
        flex: none;
      }
      .spacer {
        flex: 1;
      }
      .layout {
        flex: 1;
        min-height: 0;
        display: grid;
        grid-template-columns: minmax(0, 1fr) 300px;
        gap: 0.9rem;
        padding: 0.9rem;
      }
      br-video-stage {
        min-height: 0;
      }
      aside {
        display: flex;
        flex-direction: column;
        gap: 0.9rem;
        overflow-y: auto;
        min-height: 0;
      }
      .banner {
        padding: 0.55rem 1rem;
        font-size: 0.9rem;
        background: var(--danger-bg);
        color: var(--fg);
        border-bottom: 1px solid var(--line);
        display: flex;
        gap: 0.6rem;
        align-items: center;
      }
      .banner.info {
        background: var(--panel-2);
      }
      @media (max-width: 820px) {
        :host {
          height: auto;
          min-height: 100dvh;
        }
        .layout {
          grid-template-columns: 1fr;
          padding: 0.6rem;
          gap: 0.6rem;
        }
        br-video-stage {
          height: min(62vw, 60vh);
          min-height: 220px;
        }
        aside {
          overflow: visible;
        }
        header {
          padding: 0.55rem 0.75rem;
        }
        .who,
        .you .label {
          display: none;
        }
        .you {
          max-width: 8rem;
        }
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    // a returning participant: join now (room-id is set before the element is connected)
    if (this.phase === 'joining' && !this.autoJoined) {
      this.autoJoined = true;
      const early = this.earlyJoin;
      this.earlyJoin = null;
      if (early) this.displayName = early.name;
      void this.enter(early?.result);
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.readyTimer) clearTimeout(this.readyTimer);
    if (this.panelsTimer) clearTimeout(this.panelsTimer);
    this.renewal.stop();
  }

  override render() {
    if (this.phase !== 'room') {
      return html`${this.header()}<br-join-form
          .name=${this.displayName}
          .error=${this.error}
          ?fatal=${this.phase === 'fatal'}
          ?busy=${this.phase === 'joining'}
          ?cancellable=${this.join !== null}
          @join=${this.onJoin}
          @cancel=${this.onCancelName}
        ></br-join-form>`;
    }
    const s = this.session.state;
    const j = this.join!;
    const room = s.room;
    return html`${this.header()}${this.banner()}
      <div class="layout">
        <br-video-stage
          .streamUrl=${this.streamUrl}
          .inputUrl=${this.inputUrl}
          .settings=${this.settings}
          ?can-play=${this.ready && s.phase !== 'closed'}
          .ended=${s.phase === 'closed' && s.roomEnded ? s.closedReason : null}
          ?in-control=${s.control?.holder?.id === j.participantId && s.phase === 'open'}
          .remoteWidth=${room?.width ?? 1280}
          .remoteHeight=${room?.height ?? 720}
          @player-stats=${this.onStats}
        ></br-video-stage>
        <aside>${this.panels ? this.sidePanels() : nothing}</aside>
      </div>`;
  }

  private sidePanels() {
    const s = this.session.state;
    const room = s.room;
    return html`<br-control-panel
        .you=${s.you}
        .control=${s.control}
        .participants=${s.participants}
        ?busy=${this.controlBusy}
        .error=${this.controlError}
        @control-action=${this.onControl}
      ></br-control-panel>
      <br-desktop-reset
        .roomId=${this.roomId}
        .token=${this.join?.token ?? null}
        .role=${this.join?.role ?? null}
      ></br-desktop-reset>
      <br-presence-list
        .participants=${s.participants}
        .control=${s.control}
        .you=${s.you}
        @kick=${this.onKick}
      ></br-presence-list>
      ${
        s.you && isModerator(s.you.role)
          ? html`<br-invite-links
              .revoke=${(role: 'owner' | 'participant' | 'viewer') =>
                new ApiClient(this.join!.token).revokeInvite(this.roomId, role)}
            ></br-invite-links>`
          : nothing
      }
      <br-latency-readout .stats=${this.stats} .rttMs=${s.rttMs} .fps=${room?.fps ?? 30}></br-latency-readout>
      <br-player-settings
        .settings=${this.settings}
        @settings-change=${this.onSettings}
      ></br-player-settings>`;
  }

  private readonly onStats = (e: CustomEvent<PlayerStats>): void => {
    this.stats = { ...e.detail };
    if (e.detail.framesPresented > 0) this.showPanels();
  };

  private showPanels(): void {
    if (this.panelsTimer) clearTimeout(this.panelsTimer);
    this.panelsTimer = null;
    this.panels = true;
  }

  private header() {
    const s = this.session.state;
    const holder = holderLabel(s);
    return html`<header>
      <span class="brand"><i></i>boxroom</span>
      <span class="title">${this.roomName}</span>
      <span class="spacer"></span>
      ${
        this.phase === 'room'
          ? html`<button
                class="small you"
                data-testid="change-name"
                title="Change the name others see"
                @click=${this.onChangeName}
              >
                <span class="muted label">you:</span><span class="name">${this.displayName}</span>${pencil}
              </button>
              <span class="badge who" data-testid="holder"
                ><span class="dot ${holder ? 'ok' : ''}"></span
                >${holder ? `${holder} in control` : 'nobody in control'}</span
              >
              <span class="badge" title="Connection"
                ><span class="dot ${s.phase === 'open' ? 'ok' : s.phase === 'closed' ? 'bad' : 'warn'}"></span
                >${s.participants.length} here</span
              >`
          : nothing
      }
    </header>`;
  }

  private banner() {
    const s = this.session.state;
    if (s.phase === 'closed') return html`<div class="banner" role="alert">${s.closedReason}</div>`;
    if (s.phase === 'reconnecting')
      return html`<div class="banner info">
        <span class="spinner"></span>${s.closedReason ?? 'Reconnecting…'}
      </div>`;
    if (s.warning) return html`<div class="banner info" role="status">${s.warning.message}</div>`;
    return nothing;
  }

  private readonly streamUrl = (): string => {
    const t = this.settings.transport;
    return edgeUrl(
      location.origin,
      this.roomId,
      t === 'ws' ? 'stream' : 'stream.flv',
      this.join!.token,
      t === 'ws',
    );
  };

  private readonly inputUrl = (): string =>
    edgeUrl(location.origin, this.roomId, 'input', this.join!.token, true);

  private onJoin(e: CustomEvent<string>): void {
    this.displayName = e.detail;
    rememberName(e.detail);
    void this.enter();
  }

  /**
   * Join as `displayName` (or take the answer of a join already sent), then into the room: the session
   * and (a ready room) the stream start together.
   */
  private async enter(sent?: Promise<JoinResult>): Promise<void> {
    this.phase = 'joining';
    this.error = null;
    if (!(await this.doJoin(sent))) return;
    // a ready room: ask for the stream now, while the room renders and the player opens Media Source
    if (this.join!.room.status === 'ready' && this.settings.transport === 'http')
      streamPrefetch.start(this.streamUrl());
    this.phase = 'room';
    this.startSession();
    this.follow(this.join!.room);
    if (!this.ready) this.showPanels();
    else if (!this.panels) this.panelsTimer ??= setTimeout(() => this.showPanels(), PANELS_WAIT_MS);
  }

  private startSession(): void {
    this.session.start(
      () => edgeUrl(location.origin, this.roomId, 'session', this.join!.token, true),
      () => void this.rejoin(),
    );
  }

  /** Back to the name form: the room's connections close until a new name is sent (or it is cancelled). */
  private onChangeName(): void {
    this.session.stop();
    this.phase = 'name';
  }

  private onCancelName(): void {
    this.phase = 'room';
    this.startSession();
  }

  /** POST join (or the answer of `sent`); false (with the page showing why) when it failed. */
  private async doJoin(sent?: Promise<JoinResult>): Promise<boolean> {
    try {
      this.join = await (sent ?? new ApiClient(null).join(this.roomId, this.invite!, this.displayName));
      this.renewal.start(this.join.expiresAt);
      return true;
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(0, null, String(err));
      this.error = joinErrorMessage(e.status, e.code, e.message);
      // a bad or revoked link cannot be fixed by retrying; a busy room or network error can
      this.phase = e.status === 0 || e.status === 409 || e.status >= 500 ? 'name' : 'fatal';
      return false;
    }
  }

  /** The token was refused (expired): join again with the same invite and reconnect everything. */
  private async rejoin(): Promise<void> {
    if (!(await this.doJoin())) return;
    this.phase = 'room';
    this.session.reconnect();
    this.renderRoot.querySelector<BrVideoStage>('br-video-stage')?.restart();
  }

  /**
   * The player starts only once the room publishes (a player that connects earlier may never start):
   * at once when the join found it ready, else after polling the room until it is.
   */
  private follow(room: { name: string; status: RoomStatus }): void {
    if (this.readyTimer) clearTimeout(this.readyTimer);
    this.readyTimer = null;
    this.roomName = room.name;
    document.title = `${room.name} · boxroom`;
    if (room.status === 'ready') {
      this.ready = true;
      return;
    }
    if (room.status === 'failed' || room.status === 'stopping') {
      this.error = `This room is ${room.status === 'failed' ? 'not running (it failed to start)' : 'shutting down'}.`;
    }
    this.readyTimer = setTimeout(() => void this.poll(), READY_POLL_MS);
  }

  private async poll(): Promise<void> {
    this.readyTimer = null;
    try {
      this.follow(await new ApiClient(this.join!.token).getRoom(this.roomId));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        this.phase = 'fatal';
        this.error = 'This room does not exist (any more).';
        return;
      }
      this.readyTimer = setTimeout(() => void this.poll(), READY_POLL_MS);
    }
  }

  private async onControl(e: CustomEvent<ControlActionDetail>): Promise<void> {
    const api = new ApiClient(this.join!.token);
    const { verb, participantId } = e.detail;
    this.controlBusy = true;
    this.controlError = null;
    try {
      if (verb === 'give') await api.give(this.roomId, participantId!);
      else await api.control(this.roomId, verb);
    } catch (err) {
      this.controlError = err instanceof Error ? err.message : String(err);
    } finally {
      this.controlBusy = false;
    }
  }

  private async onKick(e: CustomEvent<KickDetail>): Promise<void> {
    if (
      !window.confirm(`Remove ${e.detail.name} from the room? Their link still works unless you revoke it.`)
    )
      return;
    this.controlError = null;
    try {
      await new ApiClient(this.join!.token).kick(this.roomId, e.detail.participantId);
    } catch (err) {
      this.controlError = err instanceof Error ? err.message : String(err);
    }
  }

  private onSettings(e: CustomEvent<PlayerSettings>): void {
    this.settings = e.detail;
    saveSettings(e.detail);
  }
}

const pencil = html`<svg
  viewBox="0 0 24 24"
  width="12"
  height="12"
  aria-hidden="true"
  fill="none"
  stroke="currentColor"
  stroke-width="2"
  stroke-linecap="round"
  stroke-linejoin="round"
  style="vertical-align:-1px"
>
  <path d="M17 3a2.8 2.8 0 0 1 4 4L7.5 20.5 2 22l1.5-5.5z"></path>
</svg>`;

customElements.define('br-room-page', BrRoomPage);
