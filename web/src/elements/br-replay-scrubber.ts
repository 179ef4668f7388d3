import { LitElement, css, html, nothing } from 'lit';
import { formatMediaTime } from '../core/media-time.js';
import { spanAt, type ControlSpan, type TimelineMark } from '../core/recording-timeline.js';
import { controls } from '../styles/shared.js';

/** Arrow keys move the playhead this far. */
const KEY_STEP_S = 5;

/**
 * The recording's scrubber: who had control as coloured spans under the playhead, joins, leaves and
 * warnings as marks, a frame preview with the time and the holder on hover. Click or drag to seek,
 * click a mark or a name in the legend to jump there; fires `seek` (detail: seconds).
 */
export class BrReplayScrubber extends LitElement {
  static override properties = {
    durationS: { type: Number },
    timeS: { type: Number },
    spans: { attribute: false },
    marks: { attribute: false },
    preview: { attribute: false },
    hover: { state: true },
    previewUrl: { state: true },
  };
  declare durationS: number;
  declare timeS: number;
  declare spans: ControlSpan[];
  declare marks: TimelineMark[];
  /** a frame preview for a time (an image URL), or null for none */
  declare preview: ((t: number) => Promise<string | null>) | null;
  declare hover: { t: number; x: number } | null;
  declare previewUrl: string | null;

  private dragging = false;

  constructor() {
    super();
    this.durationS = 0;
    this.timeS = 0;
    this.spans = [];
    this.marks = [];
    this.preview = null;
    this.hover = null;
    this.previewUrl = null;
  }

  static override styles = [
    controls,
    css`
      :host {
        display: block;
        user-select: none;
      }
      .track {
        position: relative;
        height: 18px;
        margin: 6px 0;
        border-radius: 4px;
        background: var(--panel-2);
        border: 1px solid var(--line);
        cursor: pointer;
        touch-action: none;
      }
      .track:focus-visible {
        outline: 2px solid var(--accent);
        outline-offset: 2px;
      }
      .span {
        position: absolute;
        top: 3px;
        bottom: 3px;
        border-radius: 2px;
        opacity: 0.75;
      }
      .played {
        position: absolute;
        left: 0;
        top: 0;
        bottom: 0;
        background: rgb(255 255 255 / 0.12);
        border-right: 2px solid var(--fg);
        pointer-events: none;
      }
      .mark {
        position: absolute;
        top: -5px;
        width: 9px;
        height: 9px;
        margin-left: -4.5px;
        padding: 0;
        border-radius: 50%;
        border: 1px solid var(--bg);
        background: var(--muted);
      }
      .mark.warning,
      .mark.discontinuity {
        background: var(--warn);
      }
      .tip {
        position: absolute;
        bottom: 26px;
        transform: translateX(-50%);
        background: var(--panel);
        border: 1px solid var(--line);
        border-radius: 8px;
        padding: 4px;
        font-size: 0.75rem;
        text-align: center;
        pointer-events: none;
        white-space: nowrap;
        z-index: 3;
      }
      .tip img {
        display: block;
        width: 160px;
        height: 90px;
        object-fit: contain;
        background: #000;
        border-radius: 4px;
        margin-bottom: 3px;
      }
      .legend {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        font-size: 0.75rem;
      }
      .legend button {
        padding: 0.2rem 0.5rem;
        font-size: 0.75rem;
        font-weight: 500;
        display: inline-flex;
        gap: 0.35rem;
        align-items: center;
      }
      .swatch {
        width: 10px;
        height: 10px;
        border-radius: 2px;
      }
      .wrap {
        position: relative;
      }
    `,
  ];

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.dragging = false;
  }

  override render() {
    const d = this.durationS > 0 ? this.durationS : 0;
    const pct = (t: number) => (d > 0 ? `${Math.min(100, Math.max(0, (t / d) * 100))}%` : '0%');
    const holders = [...new Map(this.spans.map((s) => [s.holder.id, s])).values()];
    const hoverSpan = this.hover ? spanAt(this.spans, this.hover.t) : null;
    return html`<div class="wrap">
      ${
        this.hover
          ? html`<div class="tip" style="left:${this.hover.x}px" data-testid="scrub-preview">
              ${this.previewUrl ? html`<img alt="" src=${this.previewUrl} />` : nothing}
              ${formatMediaTime(this.hover.t)}${hoverSpan ? html` · ${hoverSpan.holder.name} in control` : nothing}
            </div>`
          : nothing
      }
      <div
        class="track"
        role="slider"
        tabindex="0"
        aria-label="Position in the recording"
        aria-valuemin="0"
        aria-valuemax=${Math.round(d)}
        aria-valuenow=${Math.round(this.timeS)}
        aria-valuetext=${formatMediaTime(this.timeS)}
        data-testid="scrubber"
        @pointerdown=${this.onDown}
        @pointermove=${this.onMove}
        @pointerup=${this.onUp}
        @pointerleave=${this.onLeave}
        @keydown=${this.onKey}
      >
        ${this.spans.map(
          (s) =>
            html`<div
              class="span"
              data-holder=${s.holder.name}
              style="left:${pct(s.startS)};width:calc(${pct(s.endS)} - ${pct(s.startS)});background:${s.colour}"
            ></div>`,
        )}
        <div class="played" style="width:${pct(this.timeS)}"></div>
        ${this.marks.map(
          (m) =>
            html`<button
              class="mark ${m.type}"
              style="left:${pct(m.t)}"
              title="${formatMediaTime(m.t)} ${m.label}"
              aria-label="${formatMediaTime(m.t)} ${m.label}"
              @pointerdown=${(e: Event) => e.stopPropagation()}
              @click=${() => this.seek(m.t)}
            ></button>`,
        )}
      </div>
      ${
        holders.length > 0
          ? html`<div class="legend" data-testid="timeline-legend" aria-label="Who had control">
              ${holders.map(
                (h) =>
                  html`<button
                    class="small"
                    title="Jump to ${h.holder.name}'s next turn"
                    @click=${() => this.jumpTo(h.holder.id)}
                  >
                    <span class="swatch" style="background:${h.colour}"></span>${h.holder.name}
                  </button>`,
              )}
            </div>`
          : nothing
      }
    </div>`;
  }

  private timeAt(e: PointerEvent): { t: number; x: number } {
    const track = e.currentTarget as HTMLElement;
    const r = track.getBoundingClientRect();
    const x = Math.min(Math.max(0, e.clientX - r.left), r.width);
    return { t: r.width > 0 ? (x / r.width) * this.durationS : 0, x };
  }

  private readonly onDown = (e: PointerEvent): void => {
    if (e.button !== 0 || !(this.durationS > 0)) return;
    this.dragging = true;
    (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
    this.seek(this.timeAt(e).t);
  };

  private readonly onMove = (e: PointerEvent): void => {
    if (!(this.durationS > 0)) return;
    const at = this.timeAt(e);
    this.hover = at;
    if (this.dragging) this.seek(at.t);
    const preview = this.preview;
    if (!preview) return;
    void preview(at.t).then((url) => {
      // a late answer for a place the pointer has left is not shown
      if (url && this.hover && Math.abs(this.hover.t - at.t) <= Math.max(2, this.durationS / 100))
        this.previewUrl = url;
    });
  };

  private readonly onUp = (e: PointerEvent): void => {
    if (!this.dragging) return;
    this.dragging = false;
    (e.currentTarget as HTMLElement).releasePointerCapture(e.pointerId);
  };

  private readonly onLeave = (): void => {
    if (this.dragging) return;
    this.hover = null;
    this.previewUrl = null;
  };

  private readonly onKey = (e: KeyboardEvent): void => {
    const to =
      e.key === 'ArrowLeft'
        ? this.timeS - KEY_STEP_S
        : e.key === 'ArrowRight'
          ? this.timeS + KEY_STEP_S
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? this.durationS
              : null;
    if (to === null) return;
    e.preventDefault();
    this.seek(Math.min(Math.max(0, to), this.durationS));
  };

  /** The holder's next span after the playhead (the first one again after their last). */
  private jumpTo(holderId: string): void {
    const theirs = this.spans.filter((s) => s.holder.id === holderId);
    const next = theirs.find((s) => s.startS > this.timeS + 0.5) ?? theirs[0];
    if (next) this.seek(next.startS);
  }

  private seek(t: number): void {
    this.dispatchEvent(new CustomEvent<number>('seek', { detail: t }));
  }
}
customElements.define('br-replay-scrubber', BrReplayScrubber);
