import { LitElement, css, html, nothing } from 'lit';
import type { OidcSignIn } from '../core/api-client.js';
import { formPage } from '../styles/blocks.js';
import { controls } from '../styles/shared.js';

/**
 * Offers "Sign in with …" when the dashboard has an OpenID provider (a plain link: the browser goes
 * to the provider and comes back signed in), and asks for the admin token (break-glass); fires
 * `sign-in` with `detail: token`.
 */
export class BrSignIn extends LitElement {
  static override properties = { error: {}, oidc: { attribute: false } };
  declare error: string | null;
  /** GET /api/auth/oidc's answer; null until it came (or when it failed) */
  declare oidc: OidcSignIn | null;

  constructor() {
    super();
    this.error = null;
    this.oidc = null;
  }

  static override styles = [
    controls,
    formPage,
    css`
      :host {
        min-height: 70vh;
      }
      form {
        width: min(420px, 100%);
      }
      a.primary {
        display: block;
        text-align: center;
        text-decoration: none;
        padding: 0.6rem 1rem;
        border-radius: 8px;
        background: var(--accent);
        color: var(--on-accent);
        font-weight: 600;
      }
      details {
        font-size: 0.9rem;
      }
    `,
  ];

  override render() {
    const oidc = this.oidc?.enabled && this.oidc.loginUrl ? this.oidc : null;
    const tokenForm = html`<p class="muted">
        Enter the operator's admin token (BOXROOM_ADMIN_TOKEN, or the one printed at first start).
      </p>
      <label
        >Admin token
        <input name="token" type="password" autocomplete="current-password" required ?autofocus=${!oidc}
      /></label>
      <button class=${oidc ? '' : 'primary'} type="submit">Sign in</button>`;
    return html`<form class="card" @submit=${this.submit}>
      <h1>Sign in</h1>
      ${
        oidc
          ? html`<a class="primary" data-testid="oidc-sign-in" href=${oidc.loginUrl!}
              >Sign in with ${oidc.name}</a
            >`
          : nothing
      }
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${
        oidc
          ? html`<details>
              <summary>Use the admin token (break-glass)</summary>
              ${tokenForm}
            </details>`
          : tokenForm
      }
    </form>`;
  }

  private submit(e: SubmitEvent): void {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).elements.namedItem('token') as HTMLInputElement;
    const token = input.value.trim();
    if (token)
      this.dispatchEvent(new CustomEvent('sign-in', { detail: token, bubbles: true, composed: true }));
  }
}
customElements.define('br-sign-in', BrSignIn);
