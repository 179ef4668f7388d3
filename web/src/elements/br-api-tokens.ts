import { LitElement, css, html, nothing } from 'lit';
import { ApiError, type ApiClient, type ApiToken, type CreatedApiToken } from '../core/api-client.js';
import { listCard } from '../styles/blocks.js';
import { controls } from '../styles/shared.js';
import './br-copy-link.js';

/**
 * The signed-in account's personal API tokens (an admin sees everyone's): make one (its secret is
 * shown this once, with a copy button), list them, revoke one.
 */
export class BrApiTokens extends LitElement {
  static override properties = {
    api: { attribute: false },
    admin: { type: Boolean },
    tokens: { state: true },
    created: { state: true },
    error: { state: true },
    busy: { state: true },
  };
  declare api: ApiClient | null;
  /** list every account's tokens */
  declare admin: boolean;
  declare tokens: ApiToken[] | null;
  /** the token just made, with its secret: gone from the page once dismissed */
  declare created: CreatedApiToken | null;
  declare error: string | null;
  declare busy: boolean;

  constructor() {
    super();
    this.api = null;
    this.admin = false;
    this.tokens = null;
    this.created = null;
    this.error = null;
    this.busy = false;
  }

  static override styles = [
    controls,
    listCard,
    css`
      form,
      .secret {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem;
      }
      .secret {
        font-size: 0.85rem;
      }
      code {
        font-size: 0.8rem;
      }
    `,
  ];

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('api') && this.api) void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.tokens = (await this.api?.listApiTokens(this.admin)) ?? null;
      this.error = null;
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    }
  }

  override render() {
    const list = this.tokens;
    return html`<section class="card" aria-label="API tokens">
      <h2>API tokens</h2>
      <form @submit=${this.create}>
        <input name="name" placeholder="Name (e.g. ci)" maxlength="64" required aria-label="Token name" />
        <input
          name="days"
          type="number"
          min="0"
          max="3650"
          placeholder="Days valid"
          title="Days until it expires; empty or 0: never"
          aria-label="Expires in days (empty or 0: never)"
        />
        <button class="small primary" type="submit" ?disabled=${this.busy}>Create token</button>
      </form>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${
        this.created
          ? html`<div class="secret" data-testid="token-secret">
              <span>Copy it now: it is not shown again.</span>
              <code>${this.created.secret}</code>
              <br-copy-link .href=${this.created.secret} label="Copy token"></br-copy-link>
              <button class="small" @click=${() => (this.created = null)}>Done</button>
            </div>`
          : nothing
      }
      ${
        list === null
          ? html`<p class="muted">Loading…</p>`
          : list.length === 0
            ? html`<p class="muted">No tokens: API clients use one as <code>Authorization: Bearer</code>.</p>`
            : html`<table>
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Owner</th>
                    <th>Created</th>
                    <th>Expires</th>
                    <th>Last used</th>
                    <th></th>
                  </tr>
                </thead>
                <tbody>
                  ${list.map(
                    (t) =>
                      html`<tr data-token=${t.id}>
                        <td>${t.name}</td>
                        <td>${t.owner.name}</td>
                        <td>${day(t.createdAt)}</td>
                        <td>${t.expiresAt ? day(t.expiresAt) : 'never'}</td>
                        <td>${t.lastUsedAt ? day(t.lastUsedAt) : '–'}</td>
                        <td>
                          <button
                            class="small danger"
                            data-testid="revoke-token"
                            @click=${() => this.revoke(t)}
                          >
                            Revoke
                          </button>
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
      }
    </section>`;
  }

  private async create(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const name = (form.elements.namedItem('name') as HTMLInputElement).value.trim();
    const days = Number((form.elements.namedItem('days') as HTMLInputElement).value || 0);
    if (!this.api || !name) return;
    this.busy = true;
    try {
      this.created = await this.api.createApiToken({ name, ...(days > 0 ? { expiresInDays: days } : {}) });
      form.reset();
      await this.load();
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : String(err);
    } finally {
      this.busy = false;
    }
  }

  private async revoke(t: ApiToken): Promise<void> {
    if (!this.api || !window.confirm(`Revoke the token "${t.name}"? Clients using it stop working at once.`))
      return;
    try {
      await this.api.revokeApiToken(t.id);
      if (this.created?.token.id === t.id) this.created = null;
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : String(err);
    }
    await this.load();
  }
}

const day = (iso: string) => iso.slice(0, 10);

customElements.define('br-api-tokens', BrApiTokens);
