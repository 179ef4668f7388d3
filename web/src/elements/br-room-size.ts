import { LitElement, css, html, nothing } from 'lit';
import type { Role } from '@boxroom/contracts';
import { ApiClient } from '../core/api-client.js';
import { fitSize, SIZE_PRESETS, type Size } from '../core/room-size.js';
import { panelStyles } from '../styles/blocks.js';

/**
 * The room's size, for owners and operators: presets and "fit my window" (the stage's size, so the
 * picture shows at 1:1). PATCH /api/rooms/:id; the new size reaches everyone through the session's
 * `settings` event and the stream. Renders nothing for other roles.
 */
export class BrRoomSize extends LitElement {
  static override properties = {
    roomId: { attribute: false },
    token: { attribute: false },
    role: { attribute: false },
    current: { attribute: false },
    /** the stage's size in CSS px, for "fit my window" */
    stage: { attribute: false },
    busy: { state: true },
    error: { state: true },
  };
  declare roomId: string;
  declare token: string | null;
  declare role: Role | null;
  declare current: Size | null;
  declare stage: (() => Size | null) | null;
  declare busy: boolean;
  declare error: string | null;

  constructor() {
    super();
    this.roomId = '';
    this.token = null;
    this.role = null;
    this.current = null;
    this.stage = null;
    this.busy = false;
    this.error = null;
  }

  static override styles = panelStyles(css`
    section {
      display: flex;
      flex-direction: column;
      gap: 0.5rem;
    }
    .sizes {
      display: flex;
      flex-wrap: wrap;
      gap: 0.25rem;
    }
    button[aria-pressed='true'] {
      font-weight: 600;
    }
    p {
      margin: 0;
      font-size: 0.85rem;
    }
  `);

  override render() {
    if (this.role !== 'owner' && this.role !== 'operator') return nothing;
    const now = this.current;
    const label = now ? `${now.width}×${now.height}` : '…';
    return html`<section class="card" aria-label="Room size">
      <p class="muted">Room size: <span data-size>${label}</span></p>
      <div class="sizes">
        ${SIZE_PRESETS.map(
          (p) =>
            html`<button
              data-size-preset="${p.width}x${p.height}"
              aria-pressed=${now?.width === p.width && now.height === p.height ? 'true' : 'false'}
              ?disabled=${this.busy}
              @click=${() => void this.resize(p)}
            >
              ${p.width}×${p.height}
            </button>`,
        )}
        <button data-action="fit-window" ?disabled=${this.busy} @click=${this.fit}>Fit my window</button>
      </div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
    </section>`;
  }

  private fit = (): void => {
    const stage = this.stage?.();
    if (stage) void this.resize(fitSize(stage.width, stage.height));
  };

  private async resize(size: Size): Promise<void> {
    if (!this.token || (this.current?.width === size.width && this.current.height === size.height)) return;
    this.busy = true;
    this.error = null;
    try {
      await new ApiClient(this.token).patchRoom(this.roomId, size);
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    } finally {
      this.busy = false;
    }
  }
}
customElements.define('br-room-size', BrRoomSize);
