import { LitElement, css, html } from 'lit';
import type { OperatorSession } from '../core/api-client.js';
import { controls } from '../styles/shared.js';

/** Who is signed in (name, role, how) and the sign-out button; fires `sign-out`. */
export class BrAccountMenu extends LitElement {
  static override properties = { session: { attribute: false } };
  declare session: OperatorSession | null;

  constructor() {
    super();
    this.session = null;
  }

  static override styles = [
    controls,
    css`
      :host {
        display: flex;
        align-items: center;
        gap: 0.6rem;
        font-size: 0.85rem;
      }
      .who {
        display: flex;
        flex-direction: column;
        align-items: flex-end;
        line-height: 1.2;
      }
    `,
  ];

  override render() {
    const s = this.session;
    if (!s) return html``;
    const via = s.via === 'oidc' ? 'single sign-on' : 'admin token';
    return html`<span class="who" data-testid="account" data-role=${s.role} title=${s.account.id}>
        <strong>${s.account.name}</strong>
        <span class="muted">${s.role} · ${via}</span>
      </span>
      <button class="small" data-testid="sign-out" @click=${this.signOut}>Sign out</button>`;
  }

  private signOut(): void {
    this.dispatchEvent(new CustomEvent('sign-out', { bubbles: true, composed: true }));
  }
}
customElements.define('br-account-menu', BrAccountMenu);
