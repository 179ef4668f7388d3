import { LitElement, css, html, nothing } from 'lit';
import type { ApiClient, Recording, RecordingTimelineEntry } from '../core/api-client.js';
import { FramePreviews } from '../core/frame-previews.js';
import { formatMediaTime } from '../core/media-time.js';
import { controlSpans, timelineMarks } from '../core/recording-timeline.js';
import { HlsController } from '../controllers/hls-controller.js';
import { pictureNotice } from '../styles/blocks.js';
import { controls } from '../styles/shared.js';
import './br-replay-scrubber.js';

/** Playback speeds offered. */
const RATES = [0.5, 1, 1.5, 2, 4];
/** A growing recording's timeline is asked again this often (new control changes, joins). */
const EVENTS_REFRESH_MS = 5000;
/** The DVR view opens this far behind the recording's end. */
const DVR_START_BEHIND_S = 10;

/**
 * Plays one recording with video.js (HlsController): play and pause, speed, the scrubber with who
 * had control when, frame previews on hover, download. `live`: the room's DVR, on the recording that
 * is still growing; it opens just behind the end and its "Live" button fires `live` (the room page
 * goes back to the low-latency player). Otherwise a "Back" button fires `close`.
 */
export class BrReplayView extends LitElement {
  static override properties = {
    recordingId: { attribute: false },
    api: { attribute: false },
    live: { type: Boolean },
    startS: { type: Number },
    recording: { state: true },
    events: { state: true },
    error: { state: true },
  };
  declare recordingId: string;
  declare api: ApiClient | null;
  declare live: boolean;
  declare startS: number;
  declare recording: Recording | null;
  declare events: RecordingTimelineEntry[];
  declare error: string | null;

  readonly hls = new HlsController(this);
  private previews: FramePreviews | null = null;
  private eventsTimer: ReturnType<typeof setInterval> | null = null;
  private loaded: string | null = null;

  constructor() {
    super();
    this.recordingId = '';
    this.api = null;
    this.live = false;
    this.startS = 0;
    this.recording = null;
    this.events = [];
    this.error = null;
  }

  static override styles = [
    controls,
    pictureNotice,
    css`
      :host {
        display: flex;
        flex-direction: column;
        min-height: 0;
        background: var(--panel);
        border: 1px solid var(--line);
        border-radius: 12px;
        overflow: hidden;
      }
      .top {
        display: flex;
        align-items: center;
        gap: 0.6rem;
        padding: 0.5rem 0.7rem;
        border-bottom: 1px solid var(--line);
        font-size: 0.85rem;
      }
      .top .what {
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
        min-width: 0;
      }
      .spacer {
        flex: 1;
      }
      .screen {
        position: relative;
        flex: 1;
        min-height: 120px;
        background: #000;
      }
      .screen .video-js,
      .screen video {
        position: absolute;
        inset: 0;
        width: 100%;
        height: 100%;
      }
      .screen video {
        object-fit: contain;
      }
      .notice span {
        pointer-events: auto;
      }
      .controls {
        padding: 0.3rem 0.7rem 0.6rem;
        border-top: 1px solid var(--line);
      }
      .row {
        display: flex;
        align-items: center;
        gap: 0.6rem;
        font-size: 0.8rem;
      }
      .time {
        font-variant-numeric: tabular-nums;
      }
      a.button {
        font-weight: 600;
        font-size: 0.8rem;
        padding: 0.4rem 0.6rem;
        border-radius: 8px;
        border: 1px solid var(--line);
        background: var(--panel-2);
        color: var(--fg);
        text-decoration: none;
      }
      label.speed {
        flex-direction: row;
        align-items: center;
        gap: 0.4rem;
      }
      select {
        padding: 0.3rem 0.4rem;
        font-size: 0.8rem;
      }
      .live {
        color: var(--danger);
      }
    `,
  ];

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopEvents();
    this.previews?.close();
    this.previews = null;
    this.loaded = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // back in the page (moved): load again
    if (this.hasUpdated) void this.load();
  }

  override updated(changed: Map<string, unknown>): void {
    if ((changed.has('recordingId') || changed.has('api')) && this.recordingId && this.api) void this.load();
  }

  /** Fetches the recording (fresh signed links) and its timeline, then plays from `startS` (DVR: near the end). */
  private async load(at?: number): Promise<void> {
    const api = this.api;
    const rid = this.recordingId;
    if (!api || !rid || (this.loaded === rid && at === undefined)) return;
    this.loaded = rid;
    this.error = null;
    this.stopEvents();
    this.previews?.close();
    this.previews = new FramePreviews({ fetchFrame: (t) => api.recordingFrame(rid, t) });
    try {
      this.recording = await api.getRecording(rid);
    } catch (err) {
      if (this.loaded === rid) this.error = `This recording cannot be opened: ${errText(err)}`;
      return;
    }
    if (this.loaded !== rid) return;
    void this.refreshEvents();
    if (this.recording.state === 'recording')
      this.eventsTimer = setInterval(() => void this.refreshEvents(), EVENTS_REFRESH_MS);
    await this.updateComplete;
    const screen = this.renderRoot.querySelector<HTMLElement>('.screen .player');
    if (!screen) return;
    await this.hls.open(
      screen,
      this.recording.links.play,
      at !== undefined
        ? { startS: at }
        : this.live
          ? { fromEndS: DVR_START_BEHIND_S }
          : { startS: this.startS },
    );
  }

  private async refreshEvents(): Promise<void> {
    const api = this.api;
    const rid = this.recordingId;
    if (!api) return;
    try {
      const events = await api.recordingEvents(rid);
      if (rid === this.recordingId) this.events = events;
    } catch {
      // the timeline is a help, not the recording: the player goes on without it
    }
    if (this.recording?.state !== 'recording' || !this.hls.growing) {
      if (this.hls.phase === 'ready') this.stopEvents();
    }
  }

  private stopEvents(): void {
    if (this.eventsTimer) clearInterval(this.eventsTimer);
    this.eventsTimer = null;
  }

  /** Seek (the e2e tests and the scrubber). */
  seek(t: number): void {
    this.hls.seek(t);
  }

  override render() {
    const r = this.recording;
    const h = this.hls;
    const duration = h.durationS || r?.durationS || 0;
    return html`<div class="top">
        ${
          this.live
            ? html`<span class="badge"><span class="dot bad"></span>Scrubbing back</span>`
            : html`<button class="small" data-testid="replay-back" @click=${this.close}>Back</button>`
        }
        <span class="what">${r ? describeRecording(r) : 'Loading…'}</span>
        <span class="spacer"></span>
        ${
          r && !this.live && r.state !== 'recording'
            ? html`<a class="button" data-testid="download" href=${r.links.download} download
                >Download MP4</a
              >`
            : nothing
        }
        ${
          this.live
            ? html`<button class="small primary" data-testid="go-live" @click=${this.goLive}>
                <span class="live">●</span> Live
              </button>`
            : nothing
        }
      </div>
      <div class="screen">
        <div class="player"></div>
        ${this.notice()}
      </div>
      <div class="controls">
        <br-replay-scrubber
          .durationS=${duration}
          .timeS=${h.timeS}
          .spans=${controlSpans(this.events, duration)}
          .marks=${timelineMarks(this.events, duration)}
          .preview=${this.preview}
          @seek=${(e: CustomEvent<number>) => this.hls.seek(e.detail)}
        ></br-replay-scrubber>
        <div class="row">
          <button
            class="small"
            data-testid="play-pause"
            ?disabled=${h.phase !== 'ready'}
            @click=${() => this.hls.togglePlay()}
          >
            ${h.paused ? 'Play' : 'Pause'}
          </button>
          <span
            class="time"
            data-testid="replay-time"
            data-phase=${h.phase}
            data-time=${h.timeS.toFixed(2)}
            data-duration=${duration.toFixed(2)}
            >${formatMediaTime(h.timeS)} / ${formatMediaTime(duration)}</span
          >
          <span class="spacer"></span>
          <label class="speed"
            >Speed
            <select
              data-testid="speed"
              aria-label="Playback speed"
              @change=${(e: Event) => this.hls.setRate(Number((e.target as HTMLSelectElement).value))}
            >
              ${RATES.map((x) => html`<option value=${x} ?selected=${x === h.rate}>${x}×</option>`)}
            </select></label
          >
        </div>
      </div>`;
  }

  private notice() {
    const h = this.hls;
    if (this.error) return html`<div class="notice" role="alert"><span>${this.error}</span></div>`;
    if (h.phase === 'error')
      return html`<div class="notice" role="alert">
        <span>${h.message} <button class="small" @click=${this.reload}>Reload</button></span>
      </div>`;
    if (h.phase === 'loading' || h.phase === 'idle' || h.waiting)
      return html`<div class="notice">
        <span><span class="spinner"></span>Loading…</span>
      </div>`;
    return nothing;
  }

  private readonly preview = (t: number): Promise<string | null> =>
    this.previews?.preview(t) ?? Promise.resolve(null);

  /** The signed links expire: fetch them again and go on from here. */
  private readonly reload = (): void => {
    this.loaded = null;
    void this.load(this.hls.timeS);
  };

  private readonly goLive = (): void => {
    this.dispatchEvent(new CustomEvent('live', { bubbles: true, composed: true }));
  };

  private readonly close = (): void => {
    this.dispatchEvent(new CustomEvent('close', { bubbles: true, composed: true }));
  };
}

/** "Recorded 3 Dec, 14:02 · 12:30 · complete" */
export function describeRecording(r: Recording): string {
  const when = new Date(r.startedAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  const state = r.state === 'complete' ? '' : ` · ${r.state === 'recording' ? 'still recording' : r.state}`;
  return `${r.roomName} · ${when} · ${formatMediaTime(r.durationS)}${state}`;
}

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

customElements.define('br-replay-view', BrReplayView);
