import { LitElement, css, html, nothing } from 'lit';
import type { ControlState, ControlVerb, ParticipantRef } from '@boxroom/contracts';
import type { ApiClient, Room } from '../core/api-client.js';
import { ActionController } from '../controllers/action-controller.js';
import { panelRow, panelStyles } from '../styles/blocks.js';
import type { KickDetail } from './br-presence-list.js';
import './br-invite-links.js';
import './br-presence-list.js';
import './br-room-lifetime.js';

/** The dashboard acts as the operator: the presence list then offers Remove beside everyone. */
const DASHBOARD: ParticipantRef = { id: 'boxroom-dashboard', name: 'dashboard', role: 'operator' };

/**
 * One room's management on the dashboard, for its owner or an operator: who is in it (Remove), the
 * control lease (holder, queue with Give, Lock/Unlock, Reset), the invite links (Revoke, the new
 * one copyable) and its lifetime (Extend). The room comes from the page's poll; after a change the
 * element fires `room-changed` so the page polls at once.
 */
export class BrRoomManage extends LitElement {
  static override properties = {
    room: { attribute: false },
    api: { attribute: false },
  };
  declare room: Room;
  declare api: ApiClient | null;
  private readonly action = new ActionController(this);

  constructor() {
    super();
    this.api = null;
  }

  static override styles = [
    panelRow,
    ...panelStyles(css`
      .layout {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(260px, 1fr));
        gap: 1rem;
      }
      header {
        display: flex;
        align-items: center;
        gap: 0.6rem;
        margin-bottom: 0.8rem;
      }
      header h2 {
        margin: 0;
        flex: 1;
        font-size: 1rem;
        text-transform: none;
        letter-spacing: 0;
        color: var(--fg);
      }
      .row {
        margin-bottom: 0.5rem;
      }
      ol {
        margin: 0 0 0.6rem;
        padding-left: 1.3rem;
        font-size: 0.9rem;
      }
      li {
        margin-bottom: 0.3rem;
      }
      p.muted {
        margin: 0 0 0.6rem;
        font-size: 0.9rem;
      }
      .locked {
        color: var(--warn);
        border-color: var(--warn);
      }
    `),
  ];

  override render() {
    const r = this.room;
    const live = r.status === 'ready' && r.participants !== null && r.participants !== undefined;
    return html`<section class="card" aria-label="Manage ${r.name}" data-manage=${r.id}>
      <header>
        <h2>Manage “${r.name}”</h2>
        <button class="small" @click=${this.close}>Close</button>
      </header>
      ${
        live
          ? nothing
          : html`<p class="muted">
              The room's agent did not answer: people and control show once it is ready.
            </p>`
      }
      <div class="layout">
        <br-presence-list
          .participants=${r.participants ?? []}
          .control=${r.control ?? null}
          .you=${DASHBOARD}
          @kick=${this.onKick}
        ></br-presence-list>
        ${this.renderControl(r.control ?? null)}
        ${
          r.links
            ? html`<br-invite-links
                .revoke=${this.api ? (role: 'participant' | 'viewer' | 'owner') => this.revoke(role) : null}
              ></br-invite-links>`
            : nothing
        }
        <br-room-lifetime .room=${r} .patch=${this.api ? this.patch : null}></br-room-lifetime>
      </div>
      ${this.action.error ? html`<p class="error" role="alert">${this.action.error}</p>` : nothing}
    </section>`;
  }

  private renderControl(c: ControlState | null) {
    return html`<section class="card" aria-label="Control">
      <h2>Control</h2>
      ${
        c
          ? html`<div class="row">
                <span>In control: <b data-testid="holder">${c.holder?.name ?? 'nobody'}</b></span>
                ${c.locked ? html`<span class="badge locked" data-testid="locked">locked</span>` : nothing}
              </div>
              ${
                c.queue.length
                  ? html`<ol data-testid="queue">
                      ${c.queue.map(
                        (q) =>
                          html`<li>
                            ${q.name}
                            <button
                              class="small"
                              ?disabled=${this.action.busy}
                              @click=${() => void this.give(q)}
                            >
                              Give
                            </button>
                          </li>`,
                      )}
                    </ol>`
                  : html`<p class="muted">Nobody is waiting.</p>`
              }
              <div class="row">
                <button
                  class="small"
                  data-testid=${c.locked ? 'unlock' : 'lock'}
                  title=${c.locked ? 'Let participants take control again' : 'Only owners and operators may hold control'}
                  ?disabled=${this.action.busy}
                  @click=${() => void this.act(c.locked ? 'unlock' : 'lock')}
                >
                  ${c.locked ? 'Unlock' : 'Lock'}
                </button>
                <button
                  class="small"
                  data-testid="reset"
                  title="Take control from the holder and empty the queue"
                  ?disabled=${this.action.busy}
                  @click=${() => void this.act('reset')}
                >
                  Reset
                </button>
              </div>`
          : html`<p class="muted">Not known right now.</p>`
      }
    </section>`;
  }

  private readonly patch = async (body: Parameters<ApiClient['patchRoom']>[1]): Promise<Room> => {
    const room = await this.api!.patchRoom(this.room.id, body);
    this.changed();
    return room;
  };

  private async revoke(role: 'participant' | 'viewer' | 'owner') {
    const links = await this.api!.revokeInvite(this.room.id, role);
    this.changed();
    return links;
  }

  private act(verb: ControlVerb): Promise<void> {
    return this.run(async (api) => {
      this.room = { ...this.room, control: await api.control(this.room.id, verb) };
    });
  }

  private give(to: ParticipantRef): Promise<void> {
    return this.run(async (api) => {
      this.room = { ...this.room, control: await api.give(this.room.id, to.id) };
    });
  }

  private onKick(e: CustomEvent<KickDetail>): Promise<void> {
    const { participantId, name } = e.detail;
    if (!window.confirm(`Remove ${name} from the room? Their link still works unless you revoke it.`))
      return Promise.resolve();
    return this.run(async (api) => {
      await api.kick(this.room.id, participantId);
      const participants = (this.room.participants ?? []).filter((p) => p.id !== participantId);
      this.room = { ...this.room, participants };
    });
  }

  private async run(task: (api: ApiClient) => Promise<void>): Promise<void> {
    const api = this.api;
    if (api && (await this.action.run(() => task(api)))) this.changed();
  }

  private changed(): void {
    this.dispatchEvent(
      new CustomEvent('room-changed', { detail: this.room.id, bubbles: true, composed: true }),
    );
  }

  private close(): void {
    this.dispatchEvent(new CustomEvent('close-manage', { bubbles: true, composed: true }));
  }
}
customElements.define('br-room-manage', BrRoomManage);
