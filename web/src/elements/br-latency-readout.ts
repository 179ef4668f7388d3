import { LitElement, css, html } from 'lit';
import type { PlayerStats } from '../controllers/player-controller.js';
import { panelStyles } from '../styles/blocks.js';

/**
 * Encode + pipe + media server + proxy on a LAN: a nominal figure for the estimate (the bench measures
 * this stage on a loaded 2-core machine at ~25 ms p50, README "Performance").
 */
const PIPELINE_MS = 10;

/**
 * Glass-to-glass estimate: the buffer we hold (the live-edge floor), half a capture interval (a change
 * waits for the next grab on average), the measured pipeline and about half a display refresh.
 */
export function glassToGlassEstimateMs(floorMs: number, fps: number, refreshHz = 60): number {
  return Math.round(floorMs + 500 / Math.max(1, fps) + PIPELINE_MS + 500 / refreshHz);
}

export class BrLatencyReadout extends LitElement {
  static override properties = {
    stats: { attribute: false },
    rttMs: { attribute: false },
    fps: { type: Number },
  };
  declare stats: PlayerStats | null;
  declare rttMs: number | null;
  declare fps: number;

  constructor() {
    super();
    this.stats = null;
    this.rttMs = null;
    this.fps = 30;
  }

  static override styles = panelStyles(css`
    dl {
      display: grid;
      grid-template-columns: 1fr auto;
      gap: 0.3rem 1rem;
      margin: 0;
      font-size: 0.85rem;
    }
    dt {
      color: var(--muted);
    }
    dd {
      margin: 0;
      font-variant-numeric: tabular-nums;
      text-align: right;
    }
    .big {
      font-size: 1.05rem;
      font-weight: 700;
    }
  `);

  override render() {
    const s = this.stats;
    const playing = s && s.framesPresented > 0;
    return html`<section class="card" aria-label="Latency">
      <h2>Latency</h2>
      <dl>
        <dt>Glass to glass (est.)</dt>
        <dd class="big" data-testid="g2g">
          ${playing ? `~${glassToGlassEstimateMs(s.floorMs, this.fps)} ms` : '–'}
        </dd>
        <dt>Buffer ahead</dt>
        <dd data-testid="buffer">${playing ? `${s.floorMs} ms` : '–'}</dd>
        <dt>Input round trip</dt>
        <dd data-testid="rtt">${this.rttMs !== null ? `${Math.round(this.rttMs)} ms` : '–'}</dd>
        <dt>Playback rate</dt>
        <dd>${playing ? `${s.playbackRate.toFixed(2)}×` : '–'}</dd>
        <dt>Frames</dt>
        <dd data-testid="frames">${s?.framesPresented ?? 0}</dd>
        <dt>Player</dt>
        <dd data-testid="decoder">
          ${s?.decoder === 'webcodecs' ? 'WebCodecs' : s?.decoder === 'mse' ? 'MSE' : '–'}
        </dd>
        <dt>Sound</dt>
        <dd data-testid="sound">
          ${
            s?.sound === 'webaudio'
              ? `Web Audio, ${s.soundLeadMs} ms ahead`
              : s?.sound === 'element'
                ? 'in the player'
                : 'muted'
          }
        </dd>
      </dl>
    </section>`;
  }
}
customElements.define('br-latency-readout', BrLatencyReadout);
