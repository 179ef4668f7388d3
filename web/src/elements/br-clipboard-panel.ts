import { LitElement, css, html, nothing } from 'lit';
import type { ClipboardPolicy } from '@boxroom/contracts';
import { panelStyles } from '../styles/blocks.js';

/**
 * The clipboard panel: the room's last copy (with a Copy button, for browsers or pages that may not
 * write the device's clipboard on their own) and a field whose text goes to the room's clipboard.
 * Only the controller uses it: copies reach only the controller, and only the controller may paste.
 * Events: `clipboard-send` (detail: the text and what to call once the room answered), `clipboard-copy`.
 */
export interface ClipboardSendDetail {
  text: string;
  done: (ok: boolean) => void;
}

export class BrClipboardPanel extends LitElement {
  static override properties = {
    inControl: { type: Boolean, attribute: 'in-control' },
    policy: { attribute: false },
    lastCopied: { attribute: false },
    onDevice: { type: Boolean, attribute: 'on-device' },
    notice: { attribute: false },
    sending: { state: true },
  };
  declare inControl: boolean;
  declare policy: ClipboardPolicy | null;
  declare lastCopied: string | null;
  declare onDevice: boolean;
  declare notice: string | null;
  declare sending: boolean;

  constructor() {
    super();
    this.inControl = false;
    this.policy = null;
    this.lastCopied = null;
    this.onDevice = false;
    this.notice = null;
    this.sending = false;
  }

  static override styles = panelStyles(css`
    section {
      display: flex;
      flex-direction: column;
      gap: 0.45rem;
    }
    textarea {
      width: 100%;
      box-sizing: border-box;
      min-height: 3.2rem;
      resize: vertical;
      font: inherit;
      font-size: 0.85rem;
    }
    .row {
      display: flex;
      gap: 0.5rem;
      align-items: center;
    }
    p {
      margin: 0;
      font-size: 0.85rem;
    }
  `);

  override render() {
    const copyOut = this.policy?.copyOut ?? true;
    const pasteIn = this.policy?.pasteIn ?? true;
    return html`<section class="card" aria-label="Clipboard" data-testid="clipboard-panel">
      <h2>Clipboard</h2>
      ${
        !this.inControl
          ? html`<p class="muted">The clipboard is for the participant in control.</p>`
          : html`${this.copiedPart(copyOut)}
            ${
              pasteIn
                ? html`<textarea
                      data-testid="clipboard-input"
                      aria-label="Text to paste into the room"
                      placeholder="Text for the room's clipboard (Ctrl+V over the picture pastes too)"
                    ></textarea>
                    <div class="row">
                      <button
                        class="small"
                        data-action="clipboard-send"
                        ?disabled=${this.sending}
                        @click=${this.send}
                      >
                        Send to room
                      </button>
                    </div>`
                : html`<p class="muted">The owner turned paste into the room off.</p>`
            }`
      }
      ${this.notice ? html`<p class="error" role="alert" data-testid="clipboard-notice">${this.notice}</p>` : nothing}
    </section>`;
  }

  private copiedPart(copyOut: boolean) {
    if (!copyOut) return html`<p class="muted">The owner turned copying out of the room off.</p>`;
    if (this.lastCopied === null) return html`<p class="muted">Copy in the room: it arrives here.</p>`;
    return html`<textarea
        readonly
        data-testid="clipboard-last"
        aria-label="Last copied in the room"
        .value=${this.lastCopied}
      ></textarea>
      <div class="row">
        <button class="small" data-action="clipboard-copy" @click=${this.copy}>Copy</button>
        <span class="muted">${this.onDevice ? 'on your clipboard' : ''}</span>
      </div>`;
  }

  private send(): void {
    const field = this.renderRoot.querySelector<HTMLTextAreaElement>('[data-testid="clipboard-input"]');
    if (!field || field.value === '') return;
    this.sending = true;
    const done = (ok: boolean): void => {
      this.sending = false;
      if (ok) field.value = '';
    };
    this.dispatchEvent(
      new CustomEvent<ClipboardSendDetail>('clipboard-send', { detail: { text: field.value, done } }),
    );
  }

  private copy(): void {
    const field = this.renderRoot.querySelector<HTMLTextAreaElement>('[data-testid="clipboard-last"]');
    // without the async Clipboard API (http outside localhost): the selected text and the old command
    if (!navigator.clipboard && field) {
      field.select();
      document.execCommand('copy');
      return;
    }
    this.dispatchEvent(new CustomEvent('clipboard-copy'));
  }
}
customElements.define('br-clipboard-panel', BrClipboardPanel);
