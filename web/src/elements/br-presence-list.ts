import { LitElement, css, html, nothing } from 'lit';
import { isModerator, type ControlState, type ParticipantRef, type Presence } from '@boxroom/contracts';
import { panelStyles } from '../styles/blocks.js';

/** What `kick` carries: who an owner or operator asked to remove. */
export interface KickDetail {
  participantId: string;
  name: string;
}

/**
 * Who is in the room, with their role, the holder and the queue marked. Owners and operators get a
 * "Remove" button beside everyone else (event `kick`, KickDetail).
 */
export class BrPresenceList extends LitElement {
  static override properties = {
    participants: { attribute: false },
    control: { attribute: false },
    you: { attribute: false },
  };
  declare participants: Presence[];
  declare control: ControlState | null;
  declare you: ParticipantRef | null;

  constructor() {
    super();
    this.participants = [];
    this.control = null;
    this.you = null;
  }

  static override styles = panelStyles(css`
    h2 {
      display: flex;
      gap: 0.5rem;
      align-items: center;
    }
    ul {
      list-style: none;
      margin: 0;
      padding: 0;
      display: flex;
      flex-direction: column;
      gap: 0.4rem;
    }
    li {
      display: flex;
      align-items: center;
      gap: 0.5rem;
      font-size: 0.9rem;
      min-width: 0;
    }
    .name {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      flex: 1;
    }
    .avatar {
      width: 24px;
      height: 24px;
      border-radius: 50%;
      display: grid;
      place-items: center;
      font-size: 0.7rem;
      font-weight: 700;
      color: var(--on-accent);
      flex: none;
    }
    .holder {
      color: var(--ok);
      border-color: var(--ok);
    }
  `);

  private kick(p: Presence): void {
    const detail: KickDetail = { participantId: p.id, name: p.name };
    this.dispatchEvent(new CustomEvent('kick', { detail, bubbles: true, composed: true }));
  }

  override render() {
    const holder = this.control?.holder?.id;
    const queue = this.control?.queue ?? [];
    const people = this.participants;
    const moderator = this.you !== null && isModerator(this.you.role);
    return html`<section class="card" aria-label="People">
      <h2>People <span class="badge">${people.length}</span></h2>
      <ul>
        ${people.map((p) => {
          const q = queue.findIndex((x) => x.id === p.id);
          return html`<li data-participant=${p.id}>
            <span class="avatar" style="background:${colorOf(p.id)}">${initials(p.name)}</span>
            <span class="name"
              >${p.name}${p.id === this.you?.id ? html` <span class="muted">(you)</span>` : nothing}</span
            >
            ${p.id === holder ? html`<span class="badge holder">in control</span>` : nothing}
            ${q >= 0 ? html`<span class="badge">#${q + 1} in queue</span>` : nothing}
            ${p.role !== 'participant' ? html`<span class="badge">${p.role}</span>` : nothing}
            ${
              moderator && p.id !== this.you?.id
                ? html`<button
                    class="small"
                    data-testid="kick"
                    title="Remove ${p.name} from the room"
                    @click=${() => this.kick(p)}
                  >
                    Remove
                  </button>`
                : nothing
            }
          </li>`;
        })}
      </ul>
    </section>`;
  }
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/);
  return ((parts[0]?.[0] ?? '?') + (parts[1]?.[0] ?? '')).toUpperCase();
}

function colorOf(id: string): string {
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) % 360;
  return `hsl(${h} 70% 68%)`;
}
customElements.define('br-presence-list', BrPresenceList);
