import { LitElement, css, html, nothing } from 'lit';
import type { ControlState, ParticipantRef } from '@boxroom/contracts';
import { controlView, type ControlVerb } from '../core/control-actions.js';
import { panelStyles } from '../styles/blocks.js';

export interface ControlActionDetail {
  verb: ControlVerb;
  participantId?: string;
}

/** Request / release / queue / moderation buttons; fires `control-action`. */
export class BrControlPanel extends LitElement {
  static override properties = {
    you: { attribute: false },
    control: { attribute: false },
    participants: { attribute: false },
    busy: { type: Boolean },
    error: {},
  };
  declare you: ParticipantRef | null;
  declare control: ControlState | null;
  declare participants: ParticipantRef[];
  declare busy: boolean;
  declare error: string | null;

  constructor() {
    super();
    this.you = null;
    this.control = null;
    this.participants = [];
    this.busy = false;
    this.error = null;
  }

  static override styles = panelStyles(css`
    section {
      display: flex;
      flex-direction: column;
      gap: 0.7rem;
    }
    h2 {
      margin: 0;
    }
    .status {
      font-size: 0.95rem;
      display: flex;
      gap: 0.5rem;
      align-items: center;
    }
    .buttons {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
    }
    .buttons button.primary {
      flex: 1 1 auto;
    }
    .give {
      display: flex;
      gap: 0.5rem;
    }
    .give select {
      flex: 1;
    }
    .error {
      margin: 0;
      font-size: 0.85rem;
    }
  `);

  override render() {
    const v = controlView(this.you, this.control, this.participants);
    return html`<section class="card" aria-label="Control">
      <h2>Control</h2>
      <div class="status" data-testid="control-status">
        <span class="dot ${v.inControl ? 'ok' : this.control?.holder ? 'warn' : ''}"></span>${v.status}
      </div>
      <div class="buttons">
        ${
          v.primary
            ? html`<button
                class=${v.primary.verb === 'request' ? 'primary' : ''}
                data-action=${v.primary.verb}
                ?disabled=${this.busy}
                @click=${() => this.act({ verb: v.primary!.verb })}
              >
                ${v.primary.label}
              </button>`
            : html`<span class="muted">You can watch; control is for participants.</span>`
        }
        ${
          v.canTake
            ? html`<button
                data-action="take"
                ?disabled=${this.busy}
                @click=${() => this.act({ verb: 'take' })}
              >
                Take now
              </button>`
            : nothing
        }
        ${
          v.canReset
            ? html`<button
                class="danger"
                data-action="reset"
                ?disabled=${this.busy}
                @click=${() => this.act({ verb: 'reset' })}
              >
                Reset
              </button>`
            : nothing
        }
      </div>
      ${
        v.giveTargets.length > 0
          ? html`<div class="give">
              <select aria-label="Give control to">
                ${v.giveTargets.map((p) => html`<option value=${p.id}>${p.name}</option>`)}
              </select>
              <button data-action="give" ?disabled=${this.busy} @click=${this.give}>Give control</button>
            </div>`
          : nothing
      }
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
    </section>`;
  }

  private give(): void {
    const sel = this.renderRoot.querySelector('select');
    if (sel?.value) this.act({ verb: 'give', participantId: sel.value });
  }

  private act(detail: ControlActionDetail): void {
    this.dispatchEvent(new CustomEvent('control-action', { detail, bubbles: true, composed: true }));
  }
}
customElements.define('br-control-panel', BrControlPanel);
