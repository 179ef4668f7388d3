import { LitElement, css, html, nothing } from 'lit';
import type { PatchRoomBody } from '@boxroom/contracts';
import type { Room } from '../core/api-client.js';
import { ActionController } from '../controllers/action-controller.js';
import { EXTEND_STEPS_S, durationText, extendBody, maxAgeEnd } from '../core/room-lifetime.js';
import { panelRow, panelStyles } from '../styles/blocks.js';

/**
 * A room's timeouts and the time its max age leaves it, with Extend (+15 min, +1 h) for owners and
 * operators: `patch` sends PATCH /api/rooms/:id `{timeouts}`; a refusal (past the template's
 * maximum) shows the server's message.
 */
export class BrRoomLifetime extends LitElement {
  static override properties = {
    room: { attribute: false },
    patch: { attribute: false },
  };
  declare room: Room;
  declare patch: ((body: PatchRoomBody) => Promise<Room>) | null;
  private readonly action = new ActionController(this);
  private ticker: ReturnType<typeof setInterval> | null = null;

  constructor() {
    super();
    this.patch = null;
  }

  static override styles = [
    panelRow,
    ...panelStyles(css`
      dl {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 0.3rem 0.8rem;
        margin: 0 0 0.6rem;
        font-size: 0.9rem;
      }
      dt {
        color: var(--muted);
      }
      dd {
        margin: 0;
      }
      .soon {
        color: var(--warn);
        font-weight: 600;
      }
      p {
        margin: 0;
        font-size: 0.9rem;
      }
    `),
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    // the time left counts down between the page's polls
    this.ticker = setInterval(() => this.requestUpdate(), 1000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.ticker) clearInterval(this.ticker);
  }

  override render() {
    const t = this.room.timeouts;
    const end = maxAgeEnd(this.room);
    const left = end === null ? null : Math.max(0, Math.round((end - Date.now()) / 1000));
    return html`<section class="card" aria-label="Lifetime">
      <h2>Lifetime</h2>
      <dl>
        <dt>Max age</dt>
        <dd data-testid="max-age">${durationText(t.maxAgeS)}</dd>
        <dt>No viewers</dt>
        <dd>${durationText(t.noViewersS)}</dd>
        <dt>No input</dt>
        <dd>${durationText(t.noInputS)}</dd>
        ${
          end !== null && left !== null
            ? html`<dt>Ends</dt>
                <dd data-testid="time-left" class=${left <= 120 ? 'soon' : ''}>
                  ${new Date(end).toLocaleTimeString()} (${left > 0 ? `in ${durationText(left)}` : 'now'})
                </dd>`
            : nothing
        }
      </dl>
      ${
        end !== null
          ? html`<div class="row">
              <span class="muted">Extend</span>
              ${EXTEND_STEPS_S.map(
                (step) =>
                  html`<button
                    class="small"
                    data-testid="extend-${step.s}"
                    ?disabled=${this.action.busy || !this.patch}
                    @click=${() => void this.extend(step.s)}
                  >
                    ${step.label}
                  </button>`,
              )}
            </div>`
          : html`<p class="muted">No max age: the room stays until it is deleted or idle.</p>`
      }
      ${this.action.error ? html`<p class="error" role="alert">${this.action.error}</p>` : nothing}
    </section>`;
  }

  private async extend(addS: number): Promise<void> {
    const body = extendBody(this.room, addS);
    const patch = this.patch;
    if (!body || !patch) return;
    await this.action.run(async () => {
      this.room = await patch(body);
    });
  }
}
customElements.define('br-room-lifetime', BrRoomLifetime);
