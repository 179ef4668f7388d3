import { LitElement, css, html, nothing } from 'lit';
import type { RoomLinks } from '../core/api-client.js';
import { panelStyles } from '../styles/blocks.js';
import './br-copy-link.js';

type InviteRole = keyof RoomLinks;

const WHAT: Record<InviteRole, { label: string; warn: string }> = {
  participant: {
    label: 'Participant link',
    warn: 'Revoke the participant link? Everyone who joined with it is disconnected; the new link lets people in again.',
  },
  viewer: {
    label: 'Viewer link',
    warn: 'Revoke the viewer link? Everyone who joined with it is disconnected; the new link lets people in again.',
  },
  owner: {
    label: 'Owner link',
    warn: 'Revoke the owner link? Everyone who joined with it is disconnected, you too if you did: copy the new owner link first.',
  },
};

/**
 * For owners and operators: revoke a role's invite link (its holders are disconnected, close 4411)
 * and copy the new one. `revoke` calls the API and answers the new links.
 */
export class BrInviteLinks extends LitElement {
  static override properties = {
    revoke: { attribute: false },
    links: { state: true },
    busy: { state: true },
    error: { state: true },
  };
  declare revoke: ((role: InviteRole) => Promise<RoomLinks>) | null;
  declare links: RoomLinks | null;
  declare busy: boolean;
  declare error: string | null;

  constructor() {
    super();
    this.revoke = null;
    this.links = null;
    this.busy = false;
    this.error = null;
  }

  static override styles = panelStyles(css`
    .row {
      display: flex;
      align-items: center;
      gap: 0.5rem;
      font-size: 0.9rem;
      margin-bottom: 0.4rem;
    }
    .row span {
      flex: 1;
    }
  `);

  override render() {
    const roles: InviteRole[] = ['participant', 'viewer', 'owner'];
    return html`<section class="card" aria-label="Invite links">
      <h2>Invite links</h2>
      ${roles.map(
        (role) =>
          html`<div class="row">
            <span>${WHAT[role].label}</span>
            ${this.links ? html`<br-copy-link .href=${this.links[role]} label="Copy new"></br-copy-link>` : nothing}
            <button
              class="small"
              data-testid="revoke-${role}"
              ?disabled=${this.busy}
              @click=${() => void this.onRevoke(role)}
            >
              Revoke
            </button>
          </div>`,
      )}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
    </section>`;
  }

  private async onRevoke(role: InviteRole): Promise<void> {
    if (!this.revoke || !window.confirm(WHAT[role].warn)) return;
    this.busy = true;
    this.error = null;
    try {
      this.links = await this.revoke(role);
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    } finally {
      this.busy = false;
    }
  }
}
customElements.define('br-invite-links', BrInviteLinks);
