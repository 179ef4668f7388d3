import { LitElement, html, nothing } from 'lit';
import { isModerator } from '@boxroom/contracts';
import { ClipboardController } from '../controllers/clipboard-controller.js';
import { JoinController } from '../controllers/join-controller.js';
import { SessionController } from '../controllers/session-controller.js';
import type { PlayerStats } from '../controllers/player-controller.js';
import type { EarlyJoin } from '../core/early-join.js';
import { LatencyReport } from '../core/latency-report.js';
import { holderLabel } from '../core/session-state.js';
import { loadSettings, saveSettings, type PlayerSettings } from '../core/settings.js';
import { pageHeader } from '../styles/blocks.js';
import { roomPageStyles } from '../styles/room-page.js';
import { controls } from '../styles/shared.js';
import type { ClipboardSendDetail } from './br-clipboard-panel.js';
import type { ControlActionDetail } from './br-control-panel.js';
import type { KickDetail } from './br-presence-list.js';
import type { LiveReturn } from './br-recording-panel.js';
import type { BrVideoStage } from './br-video-stage.js';
import { pencilIcon } from './icons.js';
import './br-clipboard-panel.js';
import './br-control-panel.js';
import './br-invite-links.js';
import './br-desktop-reset.js';
import './br-files-panel.js';
import './br-join-form.js';
import { glassToGlassEstimateMs } from './br-latency-readout.js';
import './br-player-settings.js';
import './br-room-size.js';
import './br-presence-list.js';
import './br-recording-panel.js';
import './br-video-stage.js';

/**
 * The side panels are rendered once the picture shows, at most this long after entering the room: their
 * first layout (font lookups, mostly: a sync call to the browser per font and size) would otherwise
 * come before the first frame.
 */
const PANELS_WAIT_MS = 1000;

/**
 * `/r/:id#invite=...`: the join form until the page is in the room (the way in is the JoinController's),
 * then the stage, control, people and latency.
 */
export class BrRoomPage extends LitElement {
  static override properties = {
    roomId: { attribute: 'room-id' },
    controlBusy: { state: true },
    controlError: { state: true },
    settings: { state: true },
    stats: { state: true },
    panels: { state: true },
    dvr: { state: true },
    liveReturn: { state: true },
  };
  declare roomId: string;
  declare controlBusy: boolean;
  declare controlError: string | null;
  declare settings: PlayerSettings;
  declare stats: PlayerStats | null;
  declare panels: boolean;
  /** the DVR view (video.js on the recording so far) covers the live stage */
  declare dvr: boolean;
  declare liveReturn: LiveReturn | null;

  private readonly session: SessionController = new SessionController(this, (ev) =>
    this.clipboard.handle(ev),
  );
  private readonly clipboard: ClipboardController = new ClipboardController(this, {
    send: (text) => this.session.sendClipboard(text),
    ...(navigator.clipboard ? { clipboard: navigator.clipboard } : {}),
    hasFocus: () => document.hasFocus(),
  });
  /** the player's glass-to-glass figure, reported to the room for its metrics */
  private readonly latencyReport = new LatencyReport((ms) => this.session.sendLatency(ms));
  /** stable for the stage: a new function each render would reset its paste handler */
  private readonly pasteToRoom = (text: string): Promise<boolean> => this.clipboard.paste(text);
  private readonly joining = new JoinController(this, {
    roomId: () => this.roomId,
    transport: () => this.settings.transport,
    session: this.session,
    entered: (ready) => {
      if (!ready) this.showPanels();
      else if (!this.panels) this.panelsTimer ??= setTimeout(() => this.showPanels(), PANELS_WAIT_MS);
    },
    rejoined: () => this.renderRoot.querySelector<BrVideoStage>('br-video-stage')?.restart(),
  });
  private panelsTimer: ReturnType<typeof setTimeout> | null = null;
  /** the session said the room is gone: asked once whether its link now lists recordings */
  private endedAsked = false;

  constructor() {
    super();
    this.roomId = '';
    this.controlBusy = false;
    this.controlError = null;
    this.settings = loadSettings();
    this.stats = null;
    this.panels = false;
    this.dvr = false;
    this.liveReturn = null;
  }

  /** the join main.ts already sent for a returning participant: taken instead of sending another */
  get earlyJoin(): EarlyJoin | null {
    return this.joining.earlyJoin;
  }
  set earlyJoin(early: EarlyJoin | null) {
    this.joining.earlyJoin = early;
  }

  static override styles = [controls, pageHeader, roomPageStyles];

  /** The video stage's size in CSS px ("fit my window" sizes the room to it). */
  private readonly stageSize = (): { width: number; height: number } | null => {
    const stage = this.renderRoot.querySelector('br-video-stage');
    return stage ? { width: stage.clientWidth, height: stage.clientHeight } : null;
  };

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.panelsTimer) clearTimeout(this.panelsTimer);
  }

  override updated(): void {
    const s = this.session.state;
    if (this.joining.phase === 'room' && s.phase === 'closed' && s.roomEnded && !this.endedAsked) {
      this.endedAsked = true;
      void this.joining.afterRoomEnded();
    }
    // the list and the player (video.js) load only for an ended room
    if (this.joining.phase === 'ended') void import('./br-recordings-page.js');
  }

  override render() {
    const j = this.joining;
    if (j.phase === 'ended') {
      return html`${this.header()}<br-recordings-page .ended=${j.ended}></br-recordings-page>`;
    }
    if (j.phase !== 'room') {
      return html`${this.header()}<br-join-form
          .name=${j.displayName}
          .error=${j.error}
          ?fatal=${j.phase === 'fatal'}
          ?busy=${j.phase === 'joining'}
          ?cancellable=${j.join !== null}
          @join=${(e: CustomEvent<string>) => j.submitName(e.detail)}
          @cancel=${() => j.cancelName()}
        ></br-join-form>`;
    }
    const s = this.session.state;
    const room = s.room;
    const inControl = s.control?.holder?.id === j.join!.participantId && s.phase === 'open';
    return html`${this.header()}${this.banner()}
      <div class="layout">
        <div class="stage-wrap">
          <br-video-stage
            ?covered=${this.dvr}
            .streamUrl=${j.streamUrl}
            .inputUrl=${j.inputUrl}
            .settings=${this.settings}
            ?can-play=${j.ready && s.phase !== 'closed'}
            .ended=${s.phase === 'closed' && s.roomEnded ? s.closedReason : null}
            ?in-control=${inControl}
            .paste=${inControl && s.settings?.clipboard.pasteIn !== false ? this.pasteToRoom : null}
            .remoteWidth=${room?.width ?? 1280}
            .remoteHeight=${room?.height ?? 720}
            @player-stats=${this.onStats}
          ></br-video-stage>
          ${
            this.dvr && s.recordingId
              ? html`<br-replay-view
                  live
                  .recordingId=${s.recordingId}
                  .api=${j.api()}
                  @live=${this.goLive}
                ></br-replay-view>`
              : nothing
          }
        </div>
        <aside>${this.panels ? this.sidePanels() : nothing}</aside>
      </div>`;
  }

  private sidePanels() {
    const s = this.session.state;
    const join = this.joining.join;
    return html`<br-control-panel
        .you=${s.you}
        .control=${s.control}
        .participants=${s.participants}
        ?busy=${this.controlBusy}
        .error=${this.controlError}
        @control-action=${this.onControl}
      ></br-control-panel>
      <br-clipboard-panel
        ?in-control=${s.control?.holder?.id === s.you?.id && s.you !== null && s.phase === 'open'}
        .policy=${s.settings?.clipboard ?? null}
        .lastCopied=${this.clipboard.lastCopied}
        ?on-device=${this.clipboard.onDevice}
        .notice=${this.clipboard.notice}
        @clipboard-send=${this.onClipboardSend}
        @clipboard-copy=${() => void this.clipboard.copyLast()}
      ></br-clipboard-panel>
      <br-desktop-reset
        .roomId=${this.roomId}
        .token=${join?.token ?? null}
        .role=${join?.role ?? null}
      ></br-desktop-reset>
      <br-recording-panel
        .roomId=${this.roomId}
        .token=${join?.token ?? null}
        .role=${join?.role ?? null}
        .recordingId=${s.recordingId}
        ?dvr-open=${this.dvr}
        .liveReturn=${this.liveReturn}
        @dvr=${this.openDvr}
      ></br-recording-panel>
      <br-room-size
        .roomId=${this.roomId}
        .token=${join?.token ?? null}
        .role=${join?.role ?? null}
        .current=${s.room ? { width: s.room.width, height: s.room.height } : null}
        .stage=${this.stageSize}
      ></br-room-size>
      <br-files-panel
        .roomId=${this.roomId}
        .token=${join?.token ?? null}
        .role=${join?.role ?? null}
        .inControl=${!!join && s.control?.holder?.id === join.participantId}
      ></br-files-panel>
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
                this.joining.api().revokeInvite(this.roomId, role)}
            ></br-invite-links>`
          : nothing
      }
      <br-latency-readout
        .stats=${this.stats}
        .rttMs=${s.rttMs}
        .fps=${s.room?.fps ?? 30}
      ></br-latency-readout>
      <br-player-settings
        .settings=${this.settings}
        @settings-change=${this.onSettings}
      ></br-player-settings>`;
  }

  private readonly onStats = (e: CustomEvent<PlayerStats>): void => {
    this.stats = { ...e.detail };
    const fps = this.session.state.room?.fps ?? 30;
    this.latencyReport.offer(e.detail.framesPresented > 0, glassToGlassEstimateMs(e.detail.floorMs, fps));
    if (e.detail.framesPresented > 0) this.showPanels();
  };

  /** Scrub back: video.js (loaded now, not with the page) on the recording so far, over the stage. */
  private readonly openDvr = async (): Promise<void> => {
    await import('./br-replay-view.js');
    this.dvr = true;
  };

  /** Back to the low-latency picture, which went on underneath: how long until it shows is measured. */
  private readonly goLive = async (): Promise<void> => {
    const t0 = performance.now();
    this.dvr = false;
    const stage = this.renderRoot.querySelector<BrVideoStage>('br-video-stage');
    if (!stage) return;
    const shown = await stage.shown();
    this.liveReturn = { ms: shown.atMs - t0, kept: shown.kept };
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
      <span class="title">${this.joining.roomName}</span>
      <span class="spacer"></span>
      ${
        this.joining.phase === 'room'
          ? html`<button
                class="small you"
                data-testid="change-name"
                title="Change the name others see"
                @click=${() => this.joining.changeName()}
              >
                <span class="muted label">you:</span
                ><span class="name">${this.joining.displayName}</span>${pencilIcon}
              </button>
              ${
                s.recordingId
                  ? html`<span class="badge rec" data-testid="rec" title="This room is being recorded"
                      ><span class="dot bad"></span>REC</span
                    >`
                  : nothing
              }
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

  private async onControl(e: CustomEvent<ControlActionDetail>): Promise<void> {
    const api = this.joining.api();
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
      await this.joining.api().kick(this.roomId, e.detail.participantId);
    } catch (err) {
      this.controlError = err instanceof Error ? err.message : String(err);
    }
  }

  private readonly onClipboardSend = (e: CustomEvent<ClipboardSendDetail>): void => {
    void this.clipboard.paste(e.detail.text).then(e.detail.done);
  };

  private onSettings(e: CustomEvent<PlayerSettings>): void {
    this.settings = e.detail;
    saveSettings(e.detail);
  }
}

customElements.define('br-room-page', BrRoomPage);
