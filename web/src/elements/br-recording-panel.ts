import { LitElement, css, html, nothing } from 'lit';
import type { Role } from '@boxroom/contracts';
import { isModerator } from '@boxroom/contracts';
import { ApiClient } from '../core/api-client.js';
import { panelStyles } from '../styles/blocks.js';

/** The last return from the DVR view: how long until the live picture showed, and whether the player kept playing. */
export interface LiveReturn {
  ms: number;
  kept: boolean;
}

/**
 * The room's recording: whether it is being recorded (everyone sees it), start and stop for owners
 * and operators, and "Scrub back" into the recording so far for everyone while it runs (fires
 * `dvr`; the room page opens the DVR view over the stage).
 */
export class BrRecordingPanel extends LitElement {
  static override properties = {
    roomId: { attribute: false },
    token: { attribute: false },
    role: { attribute: false },
    recordingId: { attribute: false },
    dvrOpen: { type: Boolean, attribute: 'dvr-open' },
    liveReturn: { attribute: false },
    busy: { state: true },
    message: { state: true },
  };
  declare roomId: string;
  declare token: string | null;
  declare role: Role | null;
  declare recordingId: string | null;
  declare dvrOpen: boolean;
  /** the last return from the DVR view to the live picture, if any */
  declare liveReturn: LiveReturn | null;
  declare busy: boolean;
  declare message: string | null;

  constructor() {
    super();
    this.roomId = '';
    this.token = null;
    this.role = null;
    this.recordingId = null;
    this.dvrOpen = false;
    this.liveReturn = null;
    this.busy = false;
    this.message = null;
  }

  static override styles = panelStyles(css`
    :host([hidden]) {
      display: none;
    }
    section {
      display: flex;
      flex-direction: column;
      gap: 0.6rem;
    }
    h2 {
      margin: 0;
    }
    .status {
      display: flex;
      gap: 0.5rem;
      align-items: center;
      font-size: 0.95rem;
    }
    .buttons {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
    }
    p {
      margin: 0;
      font-size: 0.8rem;
    }
  `);

  private get moderator(): boolean {
    return this.role !== null && isModerator(this.role);
  }

  override willUpdate(): void {
    // nothing to show (not recorded, not an owner): no empty slot in the side column
    this.hidden = this.recordingId === null && !this.moderator;
  }

  override render() {
    const moderator = this.moderator;
    const on = this.recordingId !== null;
    if (!on && !moderator) return nothing;
    return html`<section class="card" aria-label="Recording">
      <h2>Recording</h2>
      <div class="status" data-testid="recording-status">
        <span class="dot ${on ? 'bad' : ''}"></span>${on ? 'This room is being recorded' : 'Not recording'}
      </div>
      <div class="buttons">
        ${
          on
            ? html`<button data-action="dvr" ?disabled=${this.dvrOpen} @click=${this.openDvr}>
                Scrub back
              </button>`
            : nothing
        }
        ${
          moderator
            ? on
              ? html`<button
                  class="danger"
                  data-action="recording-stop"
                  ?disabled=${this.busy}
                  @click=${() => this.act('stop')}
                >
                  Stop recording
                </button>`
              : html`<button
                  data-action="recording-start"
                  ?disabled=${this.busy}
                  @click=${() => this.act('start')}
                >
                  Start recording
                </button>`
            : nothing
        }
      </div>
      ${this.message ? html`<p class="error" role="alert">${this.message}</p>` : nothing}
      ${
        this.liveReturn
          ? html`<p class="muted" data-testid="live-return" data-kept=${String(this.liveReturn.kept)}>
              Back to live in ${Math.round(this.liveReturn.ms)} ms
              ${this.liveReturn.kept ? '(the live player kept playing)' : '(the live player reconnected)'}
            </p>`
          : nothing
      }
    </section>`;
  }

  private readonly openDvr = (): void => {
    this.dispatchEvent(new CustomEvent('dvr', { bubbles: true, composed: true }));
  };

  private async act(verb: 'start' | 'stop'): Promise<void> {
    if (!this.token) return;
    this.busy = true;
    this.message = null;
    try {
      // the REC indicator follows the session's `recording` event, which everyone gets
      await new ApiClient(this.token).recording(this.roomId, verb);
    } catch (err) {
      this.message = err instanceof Error ? err.message : String(err);
    } finally {
      this.busy = false;
    }
  }
}
customElements.define('br-recording-panel', BrRecordingPanel);
