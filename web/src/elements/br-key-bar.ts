import { LitElement, css, html } from 'lit';
import type { InputController } from '../controllers/input-controller.js';
import type { Latch, Modifier } from '../core/sticky-modifiers.js';
import { controls } from '../styles/shared.js';
import { keyboardIcon } from './icons.js';

/** The keys a phone's keyboard lacks: label, X keysym, and the DOM code noVNC would send with it. */
const KEYS: ReadonlyArray<{ label: string; name: string; keysym: number; code: string }> = [
  { label: 'Esc', name: 'Escape', keysym: 0xff1b, code: 'Escape' },
  { label: 'Tab', name: 'Tab', keysym: 0xff09, code: 'Tab' },
];
const ARROWS: ReadonlyArray<{ label: string; name: string; keysym: number; code: string }> = [
  { label: '←', name: 'Left', keysym: 0xff51, code: 'ArrowLeft' },
  { label: '↑', name: 'Up', keysym: 0xff52, code: 'ArrowUp' },
  { label: '↓', name: 'Down', keysym: 0xff54, code: 'ArrowDown' },
  { label: '→', name: 'Right', keysym: 0xff53, code: 'ArrowRight' },
];

/**
 * The touch controls under the picture while in control: a button that brings up the phone's own
 * keyboard (a focused text field whose edits the input controller types into the room), and the keys
 * that keyboard lacks, Ctrl and Alt sticky. Its buttons never take the focus (mousedown is cancelled),
 * so the phone's keyboard stays up and the canvas keeps a hardware keyboard.
 */
export class BrKeyBar extends LitElement {
  static override properties = {
    input: { attribute: false },
    ctrl: { attribute: false },
    alt: { attribute: false },
    typing: { state: true },
  };
  declare input: InputController | null;
  declare ctrl: Latch;
  declare alt: Latch;
  declare typing: boolean;
  private detach: (() => void) | null = null;

  constructor() {
    super();
    this.input = null;
    this.ctrl = 'off';
    this.alt = 'off';
    this.typing = false;
  }

  static override styles = [
    controls,
    css`
      :host {
        display: flex;
        gap: 0.3rem;
        padding: 0.35rem 0.45rem;
        background: var(--panel);
        border-top: 1px solid var(--line);
        position: relative;
        overflow-x: auto;
      }
      button {
        flex: 1 0 auto;
        min-width: 2.2rem;
        padding: 0.35rem 0.4rem;
        font-size: 0.85rem;
        touch-action: manipulation;
      }
      button[aria-pressed='true'] {
        background: var(--accent);
        color: var(--on-accent);
      }
      button.locked {
        text-decoration: underline;
      }
      button svg {
        vertical-align: -3px;
      }
      /* focusable (so the phone shows its keyboard) but not seen; 16px keeps iOS from zooming in */
      textarea {
        position: absolute;
        left: 0;
        bottom: 0;
        width: 1px;
        height: 1px;
        opacity: 0;
        font-size: 16px;
        border: 0;
        padding: 0;
        resize: none;
        pointer-events: none;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) this.attachField();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.detach?.();
    this.detach = null;
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('input')) this.attachField();
  }

  private get field(): HTMLTextAreaElement {
    return this.renderRoot.querySelector('textarea')!;
  }

  private attachField(): void {
    this.detach?.();
    this.detach = this.input?.attachTextInput(this.field) ?? null;
  }

  override render() {
    return html`<button
        data-testid="soft-keyboard"
        aria-label="Keyboard"
        aria-pressed=${this.typing ? 'true' : 'false'}
        @mousedown=${noFocus}
        @click=${this.toggleKeyboard}
      >
        ${keyboardIcon}
      </button>
      ${KEYS.map((k) => this.key(k))}${this.modifier('ctrl', 'Ctrl')}${this.modifier('alt', 'Alt')}
      ${ARROWS.map((k) => this.key(k))}
      <textarea
        data-testid="soft-keyboard-field"
        aria-label="Text for the room"
        autocapitalize="off"
        autocomplete="off"
        spellcheck="false"
        @focus=${() => (this.typing = true)}
        @blur=${() => (this.typing = false)}
      ></textarea>`;
  }

  private key(k: { label: string; name: string; keysym: number; code: string }) {
    return html`<button
      data-key=${k.name}
      aria-label=${k.name}
      @mousedown=${noFocus}
      @click=${() => this.input?.tapKey(k.keysym, k.code)}
    >
      ${k.label}
    </button>`;
  }

  private modifier(m: Modifier, label: string) {
    const latch = m === 'ctrl' ? this.ctrl : this.alt;
    return html`<button
      data-key=${label}
      class=${latch === 'locked' ? 'locked' : ''}
      aria-pressed=${latch === 'off' ? 'false' : 'true'}
      title="Tap: for the next key; twice: locked; again: off"
      @mousedown=${noFocus}
      @click=${() => this.input?.toggleModifier(m)}
    >
      ${label}
    </button>`;
  }

  /** In a tap's own handler, so the phone agrees to show its keyboard. */
  private toggleKeyboard(): void {
    if (this.typing) this.field.blur();
    else this.field.focus({ preventScroll: true });
  }
}

function noFocus(e: Event): void {
  e.preventDefault();
}

customElements.define('br-key-bar', BrKeyBar);
