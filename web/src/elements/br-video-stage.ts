import { LitElement, css, html, nothing } from 'lit';
import { InputController } from '../controllers/input-controller.js';
import { PlayerController, type PlayerStats } from '../controllers/player-controller.js';
import { containBox, type Box } from '../core/overlay-geometry.js';
import type { PlayerSettings } from '../core/settings.js';
import { controls } from '../styles/shared.js';
import { speakerIcon } from './icons.js';

/**
 * The picture and the input overlay. The <video> fills the stage with `object-fit: contain`; the
 * noVNC target is positioned over exactly the picture's content box (letterbox excluded), so noVNC's
 * scaleViewport maps pointer positions 1:1 onto the remote screen. Its canvas is `opacity: 0`: x11vnc
 * -nofb paints one black frame, and the pixels come from the video underneath.
 */
export class BrVideoStage extends LitElement {
  static override properties = {
    streamUrl: { attribute: false },
    inputUrl: { attribute: false },
    settings: { attribute: false },
    inControl: { type: Boolean, attribute: 'in-control' },
    paste: { attribute: false },
    canPlay: { type: Boolean, attribute: 'can-play' },
    ended: { attribute: false },
    remoteWidth: { type: Number },
    remoteHeight: { type: Number },
    muted: { state: true },
    volume: { state: true },
    box: { state: true },
  };
  declare streamUrl: (() => string) | null;
  declare inputUrl: (() => string) | null;
  declare settings: PlayerSettings;
  declare inControl: boolean;
  /** the room's clipboard for paste shortcuts over the picture (ClipboardController.paste), or null */
  declare paste: ((text: string) => Promise<boolean>) | null;
  declare canPlay: boolean;
  /** set when the room will not come back (session closed, e.g. 4504): the player stops for good */
  declare ended: string | null;
  declare remoteWidth: number;
  declare remoteHeight: number;
  declare muted: boolean;
  declare volume: number;
  declare box: Box;

  readonly player = new PlayerController(this);
  readonly input = new InputController(this);
  private resizeObserver: ResizeObserver | null = null;
  private started = false;

  constructor() {
    super();
    this.streamUrl = null;
    this.inputUrl = null;
    this.inControl = false;
    this.paste = null;
    this.canPlay = false;
    this.ended = null;
    this.remoteWidth = 1280;
    this.remoteHeight = 720;
    this.muted = true;
    this.volume = 0.8;
    this.box = { left: 0, top: 0, width: 0, height: 0 };
  }

  static override styles = [
    controls,
    css`
      :host {
        display: flex;
        flex-direction: column;
        min-height: 0;
        background: #000;
        border-radius: 12px;
        overflow: hidden;
        border: 1px solid var(--line);
      }
      .stage {
        position: relative;
        flex: 1;
        min-height: 0;
      }
      video {
        position: absolute;
        inset: 0;
        width: 100%;
        height: 100%;
        object-fit: contain;
        background: #000;
        display: block;
      }
      .overlay {
        position: absolute;
        overflow: hidden;
        background: transparent;
      }
      .overlay.active {
        outline: 2px solid var(--accent);
        outline-offset: 0;
      }
      /* noVNC's own elements: its screen div fills the overlay, its canvas stays invisible but live */
      .overlay > div {
        background: transparent !important;
      }
      .overlay canvas {
        opacity: 0;
        background: transparent !important;
      }
      .notice {
        position: absolute;
        inset: 0;
        display: grid;
        place-items: center;
        pointer-events: none;
      }
      .notice span {
        display: flex;
        gap: 0.6rem;
        align-items: center;
        background: rgb(15 17 23 / 0.85);
        border: 1px solid var(--line);
        padding: 0.6rem 0.9rem;
        border-radius: 10px;
        font-size: 0.9rem;
      }
      .bar {
        display: flex;
        align-items: center;
        gap: 0.6rem;
        padding: 0.45rem 0.6rem;
        background: var(--panel);
        border-top: 1px solid var(--line);
        font-size: 0.8rem;
      }
      .bar input[type='range'] {
        width: 7rem;
        padding: 0;
        accent-color: var(--accent);
      }
      .spacer {
        flex: 1;
      }
      button svg {
        vertical-align: -3px;
      }
      .unmute {
        position: absolute;
        right: 0.75rem;
        bottom: 0.75rem;
        z-index: 2;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.resizeObserver = new ResizeObserver(() => this.layout());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
  }

  override firstUpdated(): void {
    const stage = this.renderRoot.querySelector('.stage');
    if (stage) this.resizeObserver?.observe(stage);
    this.video.addEventListener('resize', () => this.layout());
    this.video.addEventListener('loadedmetadata', () => this.layout());
    this.input.attach(this.overlay, () => this.inputUrl?.() ?? '');
    // no layout() yet: reading sizes now would force the whole page's first layout before the player
    // starts (updated()); the ResizeObserver's first callback, after the browser's own layout, places
    // the overlay
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('ended') && this.ended) {
      // no "reconnecting" for ever against a room that failed
      this.player.stop();
      this.input.setActive(false);
      return;
    }
    if (
      !this.ended &&
      (changed.has('canPlay') || changed.has('streamUrl')) &&
      this.canPlay &&
      this.streamUrl &&
      !this.started
    ) {
      this.started = true;
      const url = this.streamUrl;
      this.player.start(this.video, url, this.settings);
    }
    if (changed.has('settings') && this.started) this.player.applySettings(this.settings);
    if (changed.has('paste')) this.input.setPasteHandler(this.paste);
    if (changed.has('inControl')) {
      this.input.setActive(this.inControl);
      if (this.inControl) this.input.focus();
    }
    // not before the ResizeObserver's first callback (see firstUpdated)
    if ((changed.has('remoteWidth') || changed.has('remoteHeight')) && this.box.width > 0) this.layout();
    this.player.setAudio(!this.muted);
    this.video.muted = this.muted;
    this.video.volume = this.volume;
    this.dispatchEvent(new CustomEvent<PlayerStats>('player-stats', { detail: this.player.stats }));
  }

  /** Restart the stream (a new token after a re-join). */
  restart(): void {
    if (!this.started || !this.streamUrl) return;
    this.player.start(this.video, this.streamUrl, this.settings);
  }

  private get video(): HTMLVideoElement {
    return this.renderRoot.querySelector('video')!;
  }

  private get overlay(): HTMLElement {
    return this.renderRoot.querySelector('.overlay')!;
  }

  private layout(): void {
    const stage = this.renderRoot.querySelector<HTMLElement>('.stage');
    if (!stage) return;
    const w = this.video.videoWidth || this.remoteWidth;
    const h = this.video.videoHeight || this.remoteHeight;
    const b = containBox(stage.clientWidth, stage.clientHeight, w, h);
    const same = (a: number, c: number) => Math.abs(a - c) < 0.01;
    const o = this.box;
    if (same(o.left, b.left) && same(o.top, b.top) && same(o.width, b.width) && same(o.height, b.height))
      return;
    this.box = b;
  }

  override render() {
    const p = this.player;
    const b = this.box;
    const notice = this.ended
      ? html`<span>${this.ended}</span>`
      : !this.canPlay
        ? html`<span><span class="spinner"></span>Waiting for the desktop to start…</span>`
        : p.phase === 'starting'
          ? html`<span><span class="spinner"></span>Connecting to the stream…</span>`
          : p.phase === 'reconnecting' || p.phase === 'failed'
            ? html`<span
                >${p.phase === 'reconnecting' ? html`<span class="spinner"></span>` : nothing}${p.message}</span
              >`
            : p.message
              ? html`<span>${p.message}</span>`
              : nothing;
    return html`<div class="stage">
        <video playsinline muted disablepictureinpicture @click=${this.onVideoClick}></video>
        <div
          class="overlay ${this.inControl ? 'active' : ''}"
          style="left:${b.left}px;top:${b.top}px;width:${b.width}px;height:${b.height}px;pointer-events:${
            this.inControl ? 'auto' : 'none'
          }"
          data-phase=${this.input.phase}
        ></div>
        ${notice !== nothing ? html`<div class="notice">${notice}</div>` : nothing}
        ${
          this.muted && p.phase === 'playing'
            ? html`<button class="unmute primary small" @click=${this.unmute}>
                ${speakerIcon(true)} Unmute
              </button>`
            : nothing
        }
      </div>
      <div class="bar">
        <button class="small" aria-label=${this.muted ? 'Unmute' : 'Mute'} @click=${this.toggleMute}>
          ${speakerIcon(this.muted)}
        </button>
        <input
          type="range"
          min="0"
          max="1"
          step="0.05"
          aria-label="Volume"
          .value=${String(this.volume)}
          @input=${this.setVolume}
        />
        <span class="spacer"></span>
        <span class="muted">${this.inControl ? statusOfInput(this.input.phase) : 'watching'}</span>
      </div>`;
  }

  private onVideoClick(): void {
    if (this.video.paused) void this.video.play().catch(() => {});
  }

  private unmute(): void {
    this.muted = false;
    void this.video.play().catch(() => {});
  }

  private toggleMute(): void {
    this.muted = !this.muted;
  }

  private setVolume(e: Event): void {
    this.volume = Number((e.target as HTMLInputElement).value);
    if (this.volume > 0 && this.muted) this.muted = false;
  }
}

function statusOfInput(phase: InputController['phase']): string {
  switch (phase) {
    case 'active':
      return 'you are in control: keyboard and mouse go to the room';
    case 'connecting':
      return 'connecting input…';
    case 'retrying':
      return 'input reconnecting…';
    default:
      return 'watching';
  }
}
customElements.define('br-video-stage', BrVideoStage);
