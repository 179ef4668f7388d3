import { LitElement, css, html, nothing } from 'lit';
import type { Role } from '@boxroom/contracts';
import { ApiClient } from '../core/api-client.js';
import { panelStyles } from '../styles/blocks.js';

const CONFIRM =
  'Reset the desktop? Every program running in it is ended (a terminal, a browser, anything started ' +
  'from them) and the app starts afresh. Everyone stays in the room, and control stays where it is.';

/**
 * "Reset desktop" for owners and operators: the remedy for a program a former controller left
 * running (it can still type and click, see docs/security.md). Renders nothing for other roles.
 */
export class BrDesktopReset extends LitElement {
  static override properties = {
    roomId: { attribute: false },
    token: { attribute: false },
    role: { attribute: false },
    busy: { state: true },
    message: { state: true },
    failed: { state: true },
  };
  declare roomId: string;
  declare token: string | null;
  declare role: Role | null;
  declare busy: boolean;
  declare message: string | null;
  declare failed: boolean;

  constructor() {
    super();
    this.roomId = '';
    this.token = null;
    this.role = null;
    this.busy = false;
    this.message = null;
    this.failed = false;
  }

  static override styles = panelStyles(css`
    section {
      display: flex;
      flex-direction: column;
      gap: 0.5rem;
    }
    p {
      margin: 0;
      font-size: 0.85rem;
    }
  `);

  override render() {
    if (this.role !== 'owner' && this.role !== 'operator') return nothing;
    return html`<section class="card" aria-label="Desktop">
      <button class="danger" data-action="desktop-reset" ?disabled=${this.busy} @click=${this.reset}>
        Reset desktop
      </button>
      ${
        this.message
          ? html`<p class=${this.failed ? 'error' : 'muted'} role=${this.failed ? 'alert' : 'status'}>
              ${this.message}
            </p>`
          : nothing
      }
    </section>`;
  }

  private async reset(): Promise<void> {
    if (!this.token || !window.confirm(CONFIRM)) return;
    this.busy = true;
    this.message = null;
    try {
      await new ApiClient(this.token).resetDesktop(this.roomId);
      this.failed = false;
      this.message = 'The desktop is restarting.';
    } catch (err) {
      this.failed = true;
      this.message = err instanceof Error ? err.message : String(err);
    } finally {
      this.busy = false;
    }
  }
}
customElements.define('br-desktop-reset', BrDesktopReset);
