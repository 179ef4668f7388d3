import { LitElement, css, html } from 'lit';
import { formPage } from '../styles/blocks.js';
import { controls } from '../styles/shared.js';

/** Asks for the operator's admin token; fires `sign-in` with `detail: token`. */
export class BrSignIn extends LitElement {
  static override properties = { error: {} };
  declare error: string | null;

  constructor() {
    super();
    this.error = null;
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
    `,
  ];

  override render() {
    return html`<form class="card" @submit=${this.submit}>
      <h1>Sign in</h1>
      <p class="muted">
        Enter the operator's admin token (BOXROOM_ADMIN_TOKEN, or the one printed at first start).
      </p>
      <label
        >Admin token <input name="token" type="password" autocomplete="current-password" required autofocus
      /></label>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : null}
      <button class="primary" type="submit">Sign in</button>
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
