import { LitElement, css, html } from 'lit';
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
    css`
      :host {
        display: grid;
        place-items: center;
        min-height: 70vh;
        padding: 1rem;
      }
      form {
        width: min(420px, 100%);
        padding: 1.5rem;
        display: flex;
        flex-direction: column;
        gap: 1rem;
      }
      h1 {
        margin: 0;
        font-size: 1.3rem;
      }
      p {
        margin: 0;
        font-size: 0.9rem;
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
