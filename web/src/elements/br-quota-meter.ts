import { LitElement, css, html, nothing } from 'lit';
import type { QuotaReport } from '../core/api-client.js';
import { formatBytes } from '../core/media-time.js';
import { controls } from '../styles/shared.js';

/** A meter is "near" its limit from this share of it. */
const NEAR_SHARE = 0.8;

type Level = 'ok' | 'near' | 'at';

/** How full a limit is: at (or over) it, near it, or fine; no limit is always fine. Pure. */
export function quotaLevel(used: number, limit: number | null): Level {
  if (limit === null) return 'ok';
  if (used >= limit) return 'at';
  return used >= limit * NEAR_SHARE ? 'near' : 'ok';
}

/**
 * The signed-in account's quota (GET /api/quota): rooms running, room-hours today (UTC), recording
 * bytes kept, each against its limit, marked near or at it. Admins and operators have no limits:
 * the meter says so in one line.
 */
export class BrQuotaMeter extends LitElement {
  static override properties = { report: { attribute: false }, error: {} };
  /** null until GET /api/quota answered */
  declare report: QuotaReport | null;
  declare error: string | null;

  constructor() {
    super();
    this.report = null;
    this.error = null;
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
    if (!r && !this.error) return nothing;
    return html`<section class="card" aria-label="Quota">
      <h2>Quota</h2>
      ${this.error ? html`<span class="error" role="alert">${this.error}</span>` : nothing}
      ${
        !r
          ? nothing
          : r.limits.roomsAtOnce === null &&
              r.limits.roomHoursPerDay === null &&
              r.limits.recordingBytes === null
            ? html`<p class="muted">No limits apply to this account.</p>`
            : html`${this.meter('rooms', 'Rooms', r.usage.roomsAtOnce, r.limits.roomsAtOnce, String)}
              ${this.meter('hours', 'Hours today (UTC)', r.usage.roomHoursPerDay, r.limits.roomHoursPerDay, hours)}
              ${this.meter('recordings', 'Recordings', r.usage.recordingBytes, r.limits.recordingBytes, formatBytes)}`
      }
    </section>`;
  }

  private meter(key: string, label: string, used: number, limit: number | null, show: (n: number) => string) {
    const level = quotaLevel(used, limit);
    const share = limit === null ? 0 : limit === 0 ? 1 : Math.min(1, used / limit);
    const figures = `${show(used)} / ${limit === null ? 'no limit' : show(limit)}`;
    return html`<div class="meter ${level}" data-quota=${key} data-level=${level}>
      <span>${label} <span class="figures">${figures}</span></span>
      ${limit === null ? nothing : html`<span class="bar"><i style="width:${(share * 100).toFixed(1)}%"></i></span>`}
    </div>`;
  }
}

const hours = (h: number): string => (Number.isInteger(h) ? String(h) : h.toFixed(1));

customElements.define('br-quota-meter', BrQuotaMeter);
