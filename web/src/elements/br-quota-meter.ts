import { LitElement, css, html, nothing } from 'lit';
import type { QuotaReport } from '../core/api-client.js';
import { formatBytes } from '../core/media-time.js';
import { quotaLevel, quotaShare } from '../core/quota-level.js';
import { controls } from '../styles/shared.js';

/**
 * The signed-in account's quota (GET /api/quota): rooms running, room-hours today (UTC), recording
 * bytes kept, each against its limit, marked near or at it. Admins and operators have no limits:
 * no meter.
 */
export class BrQuotaMeter extends LitElement {
  static override properties = { report: { attribute: false } };
  /** null until GET /api/quota answered (or when it did not: the meter then shows nothing) */
  declare report: QuotaReport | null;

  constructor() {
    super();
    this.report = null;
  }

  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      section {
        padding: 0.75rem 1rem;
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.6rem 1.5rem;
      }
      h2 {
        margin: 0;
        font-size: 1rem;
      }
      .meter {
        display: flex;
        flex-direction: column;
        gap: 0.25rem;
        min-width: 11rem;
        font-size: 0.85rem;
      }
      .bar {
        height: 6px;
        border-radius: 3px;
        background: var(--line);
        overflow: hidden;
      }
      .bar i {
        display: block;
        height: 100%;
        background: var(--ok, var(--accent));
      }
      .near .bar i {
        background: var(--warn);
      }
      .at .bar i {
        background: var(--danger);
      }
      .at .figures {
        color: var(--danger);
        font-weight: 600;
      }
      p {
        margin: 0;
        font-size: 0.85rem;
      }
    `,
  ];

  override render() {
    const r = this.report;
    // admins and operators (and creators whose limits were all lifted): nothing to show
    if (!r || Object.values(r.limits).every((l) => l === null)) return nothing;
    return html`<section class="card" aria-label="Quota">
      <h2>Quota</h2>
      ${this.meter('rooms', 'Rooms', r.usage.roomsAtOnce, r.limits.roomsAtOnce, String)}
      ${this.meter('hours', 'Hours today (UTC)', r.usage.roomHoursPerDay, r.limits.roomHoursPerDay, hours)}
      ${this.meter('recordings', 'Recordings', r.usage.recordingBytes, r.limits.recordingBytes, formatBytes)}
    </section>`;
  }

  private meter(key: string, label: string, used: number, limit: number | null, show: (n: number) => string) {
    const level = quotaLevel(used, limit);
    const share = quotaShare(used, limit);
    const figures = `${show(used)} / ${limit === null ? 'no limit' : show(limit)}`;
    return html`<div class="meter ${level}" data-quota=${key} data-level=${level}>
      <span>${label} <span class="figures">${figures}</span></span>
      ${limit === null ? nothing : html`<span class="bar"><i style="width:${(share * 100).toFixed(1)}%"></i></span>`}
    </div>`;
  }
}

const hours = (h: number): string => (Number.isInteger(h) ? String(h) : h.toFixed(1));

customElements.define('br-quota-meter', BrQuotaMeter);
