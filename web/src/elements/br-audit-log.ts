import { LitElement, css, html, nothing } from 'lit';
import { AUDIT_ACTIONS, type AuditEntry } from '@boxroom/contracts';
import { ApiError, type ApiClient } from '../core/api-client.js';
import { auditQuery, detailText, NEWEST, type AuditFilters } from '../core/audit-query.js';
import { tableCard } from '../styles/blocks.js';
import { controls } from '../styles/shared.js';

const PAGE = 50;

/**
 * The audit trail for admins and operators (GET /api/audit): filters (room, actor, action, since),
 * the newest page first, newest at the top, "Load older" for the page before. Hidden for callers the
 * API refuses (403: creators).
 */
export class BrAuditLog extends LitElement {
  static override properties = {
    api: { attribute: false },
    entries: { state: true },
    older: { state: true },
    error: { state: true },
    loading: { state: true },
    refused: { state: true },
  };
  declare api: ApiClient | null;
  /** oldest first, as the API pages them; rendered the other way round */
  declare entries: AuditEntry[] | null;
  /** `before` of the next older page; null: none */
  declare older: string | null;
  declare error: string | null;
  declare loading: boolean;
  declare refused: boolean;
  private filters: AuditFilters = { room: '', actor: '', action: '', since: '' };

  constructor() {
    super();
    this.api = null;
    this.entries = null;
    this.older = null;
    this.error = null;
    this.loading = false;
    this.refused = false;
  }

  static override styles = [
    controls,
    tableCard,
    css`
      :host([hidden]) {
        display: none;
      }
      .row {
        display: flex;
        align-items: end;
        flex-wrap: wrap;
        gap: 0.6rem;
      }
      /* a phone scrolls the table, not the page */
      .scroll {
        overflow-x: auto;
      }
      table {
        font-size: 0.8rem;
      }
      input,
      select {
        max-width: 100%;
      }
      label {
        min-width: 0;
        max-width: 100%;
      }
      td {
        vertical-align: top;
      }
      th,
      td:not(:last-child) {
        white-space: nowrap;
      }
      td.denied,
      td.failed {
        color: var(--danger);
      }
    `,
  ];

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('api') && this.api) void this.load(true);
  }

  override render() {
    if (this.refused) return nothing;
    const list = this.entries;
    return html`<section class="card" aria-label="Audit trail">
      <div class="row"><h2>Audit trail</h2></div>
      <form class="row" @submit=${this.onFilter}>
        <label>Room <input name="room" maxlength="64" placeholder="room id" /></label>
        <label>Actor <input name="actor" maxlength="128" placeholder="account or participant id" /></label>
        <label
          >Action
          <select name="action">
            <option value="">any</option>
            ${AUDIT_ACTIONS.map((a) => html`<option value=${a}>${a}</option>`)}
          </select></label
        >
        <label>Since <input name="since" type="datetime-local" /></label>
        <button class="small" type="submit" ?disabled=${this.loading}>Show</button>
        ${this.error ? html`<span class="error" role="alert">${this.error}</span>` : nothing}
      </form>
      ${
        list === null
          ? html`<p class="muted">Loading…</p>`
          : list.length === 0
            ? html`<p class="muted">No entries match.</p>`
            : html`<div class="scroll">
                <table>
                  <thead>
                    <tr>
                      <th>When</th>
                      <th>Actor</th>
                      <th>Action</th>
                      <th>Room</th>
                      <th>Outcome</th>
                      <th>Detail</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${[...list].reverse().map((e) => this.renderRow(e))}
                  </tbody>
                </table>
              </div>`
      }
      ${
        this.older
          ? html`<div class="row">
              <button
                class="small"
                data-testid="audit-older"
                ?disabled=${this.loading}
                @click=${() => this.load(false)}
              >
                Load older
              </button>
            </div>`
          : nothing
      }
    </section>`;
  }

  private renderRow(e: AuditEntry) {
    return html`<tr data-action=${e.action} data-id=${e.id}>
      <td><time datetime=${e.at}>${new Date(e.at).toLocaleString()}</time></td>
      <td title=${e.actor.id}>${e.actor.name} <span class="muted">(${e.actor.role})</span></td>
      <td>${e.action}</td>
      <td>${e.roomId ?? html`<span class="muted">–</span>`}</td>
      <td class=${e.outcome}>${e.outcome}</td>
      <td>${detailText(e)}</td>
    </tr>`;
  }

  private onFilter(ev: SubmitEvent): void {
    ev.preventDefault();
    const data = new FormData(ev.target as HTMLFormElement);
    const text = (k: string) => String(data.get(k) ?? '');
    this.filters = {
      room: text('room'),
      actor: text('actor'),
      action: text('action') as AuditFilters['action'],
      since: text('since'),
    };
    void this.load(true);
  }

  /** `fresh`: the newest page for the filters; else the page before the oldest shown. */
  private async load(fresh: boolean): Promise<void> {
    const api = this.api;
    if (!api) return;
    this.loading = true;
    try {
      const page = await api.listAudit(
        auditQuery(this.filters, fresh ? NEWEST : (this.older ?? NEWEST), PAGE),
      );
      this.entries = fresh ? page.entries : [...page.entries, ...(this.entries ?? [])];
      this.older = page.next ?? null;
      this.error = null;
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) this.refused = true;
      else this.error = err instanceof Error ? err.message : String(err);
    } finally {
      this.loading = false;
    }
  }
}
customElements.define('br-audit-log', BrAuditLog);
