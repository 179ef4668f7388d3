import { LitElement, css, html, nothing } from 'lit';
import { edgeUrl, type Room } from '../core/api-client.js';
import { controls } from '../styles/shared.js';
import './br-copy-link.js';

/** Thumbnails refresh this often while the card is on screen. */
const THUMB_REFRESH_MS = 3000;

const STATUS_DOT: Record<Room['status'], string> = {
  starting: 'warn',
  ready: 'ok',
  stopping: 'warn',
  failed: 'bad',
};

/** One room on the dashboard: live thumbnail, status, viewers, controller, links, manage, delete. */
export class BrRoomCard extends LitElement {
  static override properties = {
    room: { attribute: false },
    thumbToken: { attribute: false },
    deleting: { type: Boolean },
    thumb: { state: true },
  };
  declare room: Room;
  declare thumbToken: string | null;
  declare deleting: boolean;
  declare thumb: string | null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private loading = false;

  constructor() {
    super();
    this.thumbToken = null;
    this.deleting = false;
    this.thumb = null;
  }

  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      article {
        overflow: hidden;
        display: flex;
        flex-direction: column;
        height: 100%;
      }
      .thumb {
        aspect-ratio: 16 / 9;
        background: #05060a;
        display: grid;
        place-items: center;
        position: relative;
        border-bottom: 1px solid var(--line);
      }
      .thumb img {
        width: 100%;
        height: 100%;
        object-fit: contain;
        display: block;
      }
      .thumb .placeholder {
        display: flex;
        gap: 0.5rem;
        align-items: center;
        color: var(--muted);
        font-size: 0.85rem;
      }
      .thumb .badge {
        position: absolute;
        top: 0.5rem;
        left: 0.5rem;
        background: rgb(15 17 23 / 0.85);
      }
      .body {
        padding: 0.8rem 0.9rem 0.9rem;
        display: flex;
        flex-direction: column;
        gap: 0.6rem;
        flex: 1;
      }
      h3 {
        margin: 0;
        font-size: 1rem;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .facts {
        display: flex;
        flex-wrap: wrap;
        gap: 0.35rem 0.9rem;
        font-size: 0.8rem;
        color: var(--muted);
      }
      .facts b {
        color: var(--fg);
        font-weight: 600;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        margin-top: auto;
      }
      .actions a {
        text-decoration: none;
      }
      .spacer {
        flex: 1;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.timer = setInterval(() => this.refreshThumb(), THUMB_REFRESH_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.timer) clearInterval(this.timer);
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('thumbToken') && this.thumbToken && !this.thumb) this.refreshThumb();
  }

  /** Loads the next snapshot off-screen and swaps it in, so the thumbnail never flashes empty. */
  private refreshThumb(): void {
    const r = this.room;
    if (!this.thumbToken || r.status !== 'ready' || this.loading || document.hidden) return;
    const url = `${edgeUrl(location.origin, r.id, 'snapshot.jpg', this.thumbToken)}&t=${Date.now()}`;
    const img = new Image();
    this.loading = true;
    img.onload = () => {
      this.loading = false;
      this.thumb = url;
    };
    img.onerror = () => (this.loading = false);
    img.src = url;
  }

  override render() {
    const r = this.room;
    const controller = r.controller ? r.controller.name : 'nobody';
    return html`<article class="card" data-room=${r.id}>
      <div class="thumb">
        ${
          this.thumb && r.status === 'ready'
            ? html`<img src=${this.thumb} alt="Desktop of ${r.name}" />`
            : html`<div class="placeholder">
                ${r.status === 'starting' ? html`<span class="spinner"></span> Starting the desktop…` : nothing}
                ${r.status === 'ready' ? html`<span class="spinner"></span> Loading preview…` : nothing}
                ${r.status === 'failed' ? html`The room failed` : nothing}
                ${r.status === 'stopping' ? html`<span class="spinner"></span> Stopping…` : nothing}
              </div>`
        }
        <span class="badge" data-status=${r.status}
          ><span class="dot ${STATUS_DOT[r.status]}"></span>${r.status}</span
        >
      </div>
      <div class="body">
        <h3 title=${r.name}>${r.name}</h3>
        <div class="facts">
          <span><b>${r.width}×${r.height}</b> @ ${r.fps} fps</span>
          <span>${r.app}</span>
          <span>viewers <b class="viewers">${r.viewers ?? '–'}</b></span>
          <span>control <b class="controller">${controller}</b></span>
        </div>
        ${
          r.status === 'failed'
            ? html`<p class="error failure" role="status">
                ${r.failure ? `Why it failed: ${r.failure}` : 'Its runtime did not say why it failed.'}
              </p>`
            : nothing
        }
        ${
          r.agentProtocol?.compatible === false
            ? html`<p class="error other-protocol" role="status">
                Started by another version of boxroom (agent protocol ${r.agentProtocol.version ?? 'none'}):
                it cannot be joined from here. Delete it and create it again.
              </p>`
            : nothing
        }
        <div class="actions">
          ${
            r.links
              ? html`<br-copy-link .href=${r.links.participant} label="Participant link"></br-copy-link>
                  <br-copy-link .href=${r.links.viewer} label="Viewer link"></br-copy-link>
                  <a href=${r.links.owner} target="_blank" rel="noopener"
                    ><button class="small">Open</button></a
                  >
                  <button class="small" data-testid="manage" @click=${this.onManage}>Manage</button>`
              : nothing
          }
          <span class="spacer"></span>
          <button class="small danger" ?disabled=${this.deleting} @click=${this.onDelete}>
            ${this.deleting ? 'Deleting…' : 'Delete'}
          </button>
        </div>
      </div>
    </article>`;
  }

  /** people, control, links and lifetime: the page opens its panel (br-room-manage) */
  private onManage(): void {
    this.dispatchEvent(
      new CustomEvent('manage-room', { detail: this.room.id, bubbles: true, composed: true }),
    );
  }

  private onDelete(): void {
    if (!window.confirm(`Delete "${this.room.name}"? Everyone in it is disconnected.`)) return;
    this.dispatchEvent(
      new CustomEvent('delete-room', { detail: this.room.id, bubbles: true, composed: true }),
    );
  }
}
customElements.define('br-room-card', BrRoomCard);
