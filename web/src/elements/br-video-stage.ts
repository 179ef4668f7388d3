import { LitElement, css, html, nothing } from 'lit';
import { InputController } from '../controllers/input-controller.js';
import { PinchZoomController } from '../controllers/pinch-zoom-controller.js';
import { PlayerController, type PlayerStats } from '../controllers/player-controller.js';
import { containBox, type Box } from '../core/overlay-geometry.js';
import type { PlayerSettings } from '../core/settings.js';
import { pictureNotice } from '../styles/blocks.js';
import { zoomBox } from '../core/view-zoom.js';
import { controls } from '../styles/shared.js';
import { fullscreenIcon, speakerIcon } from './icons.js';

/** A touch screen: the key bar and the soft keyboard are offered (any pointer, a laptop's too). */
const TOUCH = typeof navigator !== 'undefined' && navigator.maxTouchPoints > 0;
// only touch screens load the key bar (its element upgrades when it arrives, with the properties set)
if (TOUCH) void import('./br-key-bar.js');

/**
 * The picture and the input overlay. The <video> fills the stage with `object-fit: contain`; the
 * noVNC target is positioned over exactly the picture's content box (letterbox excluded), so noVNC's
 * scaleViewport maps pointer positions 1:1 onto the remote screen. Its canvas is `opacity: 0`: x11vnc
 * -nofb paints one black frame, and the pixels come from the video underneath. A pinch zooms both
 * (the video by a transform, the overlay by its box: see view-zoom.ts), so the mapping holds zoomed.
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
    covered: { type: Boolean },
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
  /** the DVR view covers the stage: the live picture goes on underneath (for an instant return), silent */
  declare covered: boolean;
  declare remoteWidth: number;
  declare remoteHeight: number;
  declare muted: boolean;
  declare volume: number;
  declare box: Box;

  readonly player = new PlayerController(this);
  readonly input = new InputController(this);
  readonly zoom = new PinchZoomController(this);
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
    this.covered = false;
    this.remoteWidth = 1280;
    this.remoteHeight = 720;
    this.muted = true;
    this.volume = 0.8;
    this.box = { left: 0, top: 0, width: 0, height: 0 };
  }

  static override styles = [
    controls,
    pictureNotice,
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
      :host(:fullscreen) {
        border: 0;
        border-radius: 0;
      }
      :host(:fullscreen) .stage {
        flex: 1;
        height: auto;
      }
      /* the room page sets a fixed stage height on a phone (--stage-height), where the host grows */
      .stage {
        position: relative;
        flex: var(--stage-flex, 1);
        height: var(--stage-height, auto);
        min-height: 0;
        overflow: hidden;
      }
      video {
        position: absolute;
        inset: 0;
        width: 100%;
        height: 100%;
        object-fit: contain;
        background: #000;
        display: block;
        transform-origin: 0 0;
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
      .status {
        min-width: 0;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
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
    this.zoom.attach(this.overlay, this.renderRoot.querySelector('.stage')!);
    this.addEventListener('fullscreenchange', () => this.requestUpdate());
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
    this.player.setOutput(this.volume, this.muted || this.covered);
    this.player.setAudio(!this.muted);
    this.video.muted = this.muted || this.covered;
    this.video.volume = this.volume;
    this.dispatchEvent(new CustomEvent<PlayerStats>('player-stats', { detail: this.player.stats }));
  }

  /** Restart the stream (a new token after a re-join). */
  restart(): void {
    if (!this.started || !this.streamUrl) return;
    this.player.start(this.video, this.streamUrl, this.settings);
  }

  /**
   * Resolves once the live picture is on screen again (`atMs`, performance.now() time): the next paint
   * when the player kept playing (`kept`), else the next frame it presents (it was rebuilding).
   */
  shown(): Promise<{ atMs: number; kept: boolean }> {
    return new Promise((resolve) => {
      const v = this.video;
      if (this.player.phase !== 'playing' && 'requestVideoFrameCallback' in v) {
        v.requestVideoFrameCallback((now) => resolve({ atMs: now, kept: false }));
        return;
      }
      void this.updateComplete.then(() => requestAnimationFrame((now) => resolve({ atMs: now, kept: true })));
    });
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
    this.zoom.fit(stage.clientWidth, stage.clientHeight);
    const same = (a: number, c: number) => Math.abs(a - c) < 0.01;
    const o = this.box;
    if (same(o.left, b.left) && same(o.top, b.top) && same(o.width, b.width) && same(o.height, b.height))
      return;
    this.box = b;
  }

  override render() {
    const p = this.player;
    const v = this.zoom.view;
    const b = zoomBox(this.box, v);
    const zoomed = v.scale > 1;
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
        <video
          playsinline
          muted
          disablepictureinpicture
          style=${zoomed ? `transform:translate(${v.x}px,${v.y}px) scale(${v.scale})` : ''}
          @click=${this.onVideoClick}
        ></video>
        <div
          class="overlay ${this.inControl ? 'active' : ''}"
          style="left:${b.left}px;top:${b.top}px;width:${b.width}px;height:${b.height}px;pointer-events:${
            this.inControl ? 'auto' : 'none'
          }"
          data-phase=${this.input.phase}
        ></div>
        ${notice !== nothing ? html`<div class="notice">${notice}</div>` : nothing}
        ${
          // not over the picture while in control: it would take the clicks meant for the room there
          // (a phone's corner is a large part of the desktop); the bar's speaker button stays
          this.muted && p.phase === 'playing' && !this.inControl
            ? html`<button class="unmute primary small" @click=${this.unmute}>
                ${speakerIcon(true)} Unmute
              </button>`
            : nothing
        }
      </div>
      ${
        this.inControl && TOUCH
          ? html`<br-key-bar
              data-testid="key-bar"
              .input=${this.input}
              .ctrl=${this.input.modifiers.latch('ctrl')}
              .alt=${this.input.modifiers.latch('alt')}
            ></br-key-bar>`
          : nothing
      }
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
        <span class="muted status">${this.inControl ? statusOfInput(this.input.phase) : 'watching'}</span>
        ${
          zoomed
            ? html`<button class="small" data-testid="unzoom" @click=${() => this.zoom.reset()}>Fit</button>`
            : nothing
        }
        ${
          document.fullscreenEnabled
            ? html`<button
                class="small"
                data-testid="fullscreen"
                aria-label=${this.fullscreen ? 'Leave full screen' : 'Full screen'}
                @click=${this.toggleFullscreen}
              >
                ${fullscreenIcon(this.fullscreen)}
              </button>`
            : nothing
        }
      </div>`;
  }

  private onVideoClick(): void {
    if (this.video.paused) void this.video.play().catch(() => {});
  }

  /** (document.fullscreenElement is the page's host: shadow roots retarget it) */
  private get fullscreen(): boolean {
    return this.isConnected && this.matches(':fullscreen');
  }

  /** The stage alone on the screen; in control, the input controller then locks the keyboard. */
  private toggleFullscreen(): void {
    if (this.fullscreen) void document.exitFullscreen().catch(() => {});
    else void this.requestFullscreen({ navigationUI: 'hide' }).catch(() => {});
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
