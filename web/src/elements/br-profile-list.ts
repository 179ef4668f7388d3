import { LitElement, css, html, nothing } from 'lit';
import type { Profile } from '../core/api-client.js';
import { formatBytes } from '../core/media-time.js';
import { tableCard } from '../styles/blocks.js';
import { controls } from '../styles/shared.js';

/** Which profile a `delete-profile` event names: a profile is per owner and name. */
export interface ProfileRef {
  name: string;
  owner: string;
}

/** The key of a profile in the page's `deleting` set. */
export const profileKey = (p: ProfileRef): string => `${p.owner}\n${p.name}`;

/**
 * The operator's persistent profiles on the dashboard (GET /api/profiles): name, owner, size, the
 * room that has it mounted; fires `delete-profile` with a ProfileRef. Delete is off while a room has
 * it (the API would answer 409 `profile_in_use`): delete the room first.
 */
export class BrProfileList extends LitElement {
  static override properties = {
    profiles: { attribute: false },
    deleting: { attribute: false },
    error: {},
  };
  /** null until GET /api/profiles answered */
  declare profiles: Profile[] | null;
  /** profileKey()s of the deletes under way */
  declare deleting: ReadonlySet<string>;
  declare error: string | null;

  constructor() {
    super();
    this.profiles = null;
    this.deleting = new Set();
    this.error = null;
  }

  static override styles = [
    controls,
    tableCard,
    css`
      .row {
        display: flex;
        align-items: center;
        gap: 0.75rem;
      }
      td:last-child {
        text-align: right;
      }
    `,
  ];

  override render() {
    const list = this.profiles;
    return html`<section class="card" aria-label="Profiles">
      <div class="row">
        <h2>Profiles</h2>
        ${list ? html`<span class="badge">${list.length}</span>` : nothing}
        ${this.error ? html`<span class="error" role="alert">${this.error}</span>` : nothing}
      </div>
      ${
        list === null
          ? html`<p class="muted">Loading…</p>`
          : list.length === 0
            ? html`<p class="muted">No profiles yet: a room created with a profile keeps its home in it.</p>`
            : html`<table>
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Owner</th>
                    <th>Size</th>
                    <th>In use by</th>
                    <th></th>
                  </tr>
                </thead>
                <tbody>
                  ${list.map((p) => this.renderRow(p))}
                </tbody>
              </table>`
      }
    </section>`;
  }

  private renderRow(p: Profile) {
    const deleting = this.deleting.has(profileKey(p));
    return html`<tr data-profile=${p.name} data-owner=${p.owner}>
      <td class="name">${p.name}</td>
      <td class="owner">${p.owner}</td>
      <td class="bytes">${p.bytes === null ? '–' : formatBytes(p.bytes)}</td>
      <td class="in-use">${p.inUseBy ?? html`<span class="muted">none</span>`}</td>
      <td>
        <button
          class="small danger"
          title=${p.inUseBy ? 'A room has it: delete the room first' : 'Delete the profile and all it kept'}
          ?disabled=${deleting || p.inUseBy !== null}
          @click=${() => this.onDelete(p)}
        >
          ${deleting ? 'Deleting…' : 'Delete'}
        </button>
      </td>
    </tr>`;
  }

  private onDelete(p: Profile): void {
    if (!window.confirm(`Delete the profile "${p.name}" of ${p.owner} and everything it kept?`)) return;
    const detail: ProfileRef = { name: p.name, owner: p.owner };
    this.dispatchEvent(new CustomEvent('delete-profile', { detail, bubbles: true, composed: true }));
  }
}
customElements.define('br-profile-list', BrProfileList);
