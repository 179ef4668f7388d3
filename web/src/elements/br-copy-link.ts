import { LitElement, css, html } from 'lit';
import { controls } from '../styles/shared.js';

/** A button that copies a link (falls back to a prompt where the clipboard API is not allowed). */
export class BrCopyLink extends LitElement {
  static override properties = { href: {}, label: {}, copied: { state: true } };
  declare href: string;
  declare label: string;
  declare copied: boolean;

  constructor() {
    super();
    this.href = '';
    this.label = 'Copy link';
    this.copied = false;
  }

  static override styles = [
    controls,
    css`
      :host {
        display: inline-block;
      }
      button.ok {
        color: var(--ok);
      }
    `,
  ];

  override render() {
    return html`<button class="small ${this.copied ? 'ok' : ''}" title=${this.label} @click=${this.copy}>
      ${this.copied ? 'Copied ✓' : this.label}
    </button>`;
  }

  private async copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.href);
    } catch {
      window.prompt('Copy this link', this.href);
    }
    this.copied = true;
    setTimeout(() => (this.copied = false), 1500);
  }
}
customElements.define('br-copy-link', BrCopyLink);
