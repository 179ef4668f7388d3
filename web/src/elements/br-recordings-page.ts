import { LitElement, css, html, nothing } from 'lit';
import { ApiClient, type EndedRoomJoinResult, type Recording } from '../core/api-client.js';
import { formatBytes, formatMediaTime } from '../core/media-time.js';
import { hashWithRecording, newestFirst, recordingFromHash } from '../core/recording-list.js';
import { controls } from '../styles/shared.js';
import './br-replay-view.js';

/**
 * A room's link after the room has ended: its recordings, newest first, each opening the replay view.
 * The open recording is kept in the fragment (`&recording=<id>`, beside the invite), so Back returns
 * to the list and the link of one recording can be passed on.
 */
export class BrRecordingsPage extends LitElement {
  static override properties = {
    ended: { attribute: false },
    recordings: { state: true },
    open: { state: true },
    error: { state: true },
  };
  declare ended: EndedRoomJoinResult | null;
  declare recordings: Recording[] | null;
  declare open: string | null;
  declare error: string | null;

  private api: ApiClient | null = null;

  constructor() {
    super();
    this.ended = null;
    this.recordings = null;
    this.open = recordingFromHash(location.hash);
    this.error = null;
  }

  static override styles = [
    controls,
    css`
      :host {
        display: flex;
        flex-direction: column;
        flex: 1;
        min-height: 0;
        padding: 0.9rem;
        gap: 0.9rem;
      }
      br-replay-view {
        flex: 1;
        min-height: 320px;
      }
      section {
        padding: 1rem;
        max-width: 48rem;
        width: 100%;
        margin: 0 auto;
      }
      h1 {
        margin: 0 0 0.3rem;
        font-size: 1.2rem;
      }
      p {
        margin: 0 0 0.8rem;
        font-size: 0.9rem;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: 0.5rem;
      }
      li button {
        width: 100%;
        display: flex;
        gap: 0.8rem;
        align-items: center;
        text-align: left;
        padding: 0.7rem 0.9rem;
        font-weight: 500;
      }
      .when {
        flex: 1;
        font-weight: 600;
      }
      .state {
        font-size: 0.75rem;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('popstate', this.onPopState);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('popstate', this.onPopState);
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('ended') && this.ended) {
      this.api = new ApiClient(this.ended.token);
      void this.load();
    }
  }

  private async load(): Promise<void> {
    try {
      this.recordings = newestFirst(await this.api!.listRecordings(this.ended!.room.id));
    } catch (err) {
      this.error = `The recordings cannot be listed: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  override render() {
    if (this.open && this.api) {
      return html`<br-replay-view
        .recordingId=${this.open}
        .api=${this.api}
        @close=${() => this.show(null)}
      ></br-replay-view>`;
    }
    const list = this.recordings;
    return html`<section class="card" aria-label="Recordings">
      <h1>${this.ended?.room.name ?? ''} has ended</h1>
      <p class="muted">
        ${list === null ? 'Looking for its recordings…' : list.length === 0 ? 'It has no recordings.' : 'Its recordings, newest first:'}
      </p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${
        list && list.length > 0
          ? html`<ul data-testid="recordings">
              ${list.map(
                (r) =>
                  html`<li>
                    <button data-recording=${r.id} @click=${() => this.show(r.id)}>
                      <span class="when"
                        >${new Date(r.startedAt).toLocaleString(undefined, {
                          dateStyle: 'medium',
                          timeStyle: 'short',
                        })}</span
                      >
                      <span>${formatMediaTime(r.durationS)}</span>
                      <span class="muted">${formatBytes(r.bytes)}</span>
                      ${r.state === 'complete' ? nothing : html`<span class="badge state">${r.state}</span>`}
                    </button>
                  </li>`,
              )}
            </ul>`
          : nothing
      }
    </section>`;
  }

  private show(recordingId: string | null): void {
    const hash = hashWithRecording(location.hash, recordingId);
    history.pushState(null, '', `${location.pathname}${location.search}${hash}`);
    this.open = recordingId;
  }

  private readonly onPopState = (): void => {
    this.open = recordingFromHash(location.hash);
  };
}
customElements.define('br-recordings-page', BrRecordingsPage);
