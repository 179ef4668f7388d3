import { LitElement, css, html, nothing } from 'lit';
import { MAX_NAME_CHARS } from '../core/display-name.js';
import { formPage } from '../styles/blocks.js';
import { controls } from '../styles/shared.js';

/**
 * Asks for a display name; fires `join` with it (and `cancel` when `cancellable`). While busy it shows
 * who is joining, no form; an error it cannot go on from (bad link) shows with no form either.
 */
export class BrJoinForm extends LitElement {
  static override properties = {
    busy: { type: Boolean },
    cancellable: { type: Boolean },
    error: {},
    fatal: { type: Boolean },
    name: {},
  };
  declare busy: boolean;
  /** offer to go back (changing the name of someone already in the room) */
  declare cancellable: boolean;
  declare error: string | null;
  /** the error cannot be fixed from here (bad link): no form */
  declare fatal: boolean;
  declare name: string;

  constructor() {
    super();
    this.busy = false;
    this.cancellable = false;
    this.error = null;
    this.fatal = false;
    this.name = '';
  }

  static override styles = [
    controls,
    formPage,
    css`
      :host {
        min-height: 80vh;
      }
      form {
        width: min(400px, 100%);
      }
      .joining {
        display: flex;
        gap: 0.6rem;
        align-items: center;
        padding: 1rem 1.25rem;
      }
      .actions {
        display: flex;
        gap: 0.6rem;
      }
      .actions button {
        flex: 1;
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
    if (this.busy) {
      return html`<div class="card joining" role="status" data-testid="joining">
        <span class="spinner"></span><span>Joining as <b>${this.name}</b>…</span>
      </div>`;
    }
    return html`<form class="card" @submit=${this.submit}>
      <h1>${this.cancellable ? 'Change your name' : 'Join the room'}</h1>
      <p class="muted">Choose the name others will see.</p>
      <label
        >Your name
        <input
          name="name"
          maxlength=${MAX_NAME_CHARS}
          required
          autocomplete="nickname"
          .value=${this.name}
          autofocus
      /></label>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div class="actions">
        ${
          this.cancellable
            ? html`<button type="button" @click=${this.cancel} data-action="cancel">Cancel</button>`
            : nothing
        }
        <button class="primary" type="submit">Join</button>
      </div>
    </form>`;
  }

  private cancel(): void {
    this.dispatchEvent(new CustomEvent('cancel', { bubbles: true, composed: true }));
  }

  private submit(e: SubmitEvent): void {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).elements.namedItem('name') as HTMLInputElement;
    const name = input.value.trim();
    if (name) this.dispatchEvent(new CustomEvent('join', { detail: name, bubbles: true, composed: true }));
  }
}
customElements.define('br-join-form', BrJoinForm);
