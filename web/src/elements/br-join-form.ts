import { LitElement, css, html, nothing } from 'lit';
import { controls } from '../styles/shared.js';

/** Asks for a display name; fires `join` with it. Shows an error with no form when it cannot go on. */
export class BrJoinForm extends LitElement {
  static override properties = { busy: { type: Boolean }, error: {}, fatal: { type: Boolean }, name: {} };
  declare busy: boolean;
  declare error: string | null;
  /** the error cannot be fixed from here (bad link): no form */
  declare fatal: boolean;
  declare name: string;

  constructor() {
    super();
    this.busy = false;
    this.error = null;
    this.fatal = false;
    this.name = '';
  }

  static override styles = [
    controls,
    css`
      :host {
        display: grid;
        place-items: center;
        min-height: 80vh;
        padding: 1rem;
      }
      form {
        width: min(400px, 100%);
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
    if (this.fatal) {
      return html`<div class="card" style="padding:1.5rem;width:min(420px,100%)" role="alert">
        <h1>Cannot join</h1>
        <p class="error" style="margin-top:.75rem">${this.error}</p>
      </div>`;
    }
    return html`<form class="card" @submit=${this.submit}>
      <h1>Join the room</h1>
      <p class="muted">Choose the name others will see.</p>
      <label
        >Your name
        <input name="name" maxlength="64" required autocomplete="nickname" .value=${this.name} autofocus
      /></label>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Joining…' : 'Join'}</button>
    </form>`;
  }

  private submit(e: SubmitEvent): void {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).elements.namedItem('name') as HTMLInputElement;
    const name = input.value.trim();
    if (name) this.dispatchEvent(new CustomEvent('join', { detail: name, bubbles: true, composed: true }));
  }
}
customElements.define('br-join-form', BrJoinForm);
