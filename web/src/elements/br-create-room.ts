import { LitElement, css, html } from 'lit';
import type { CreateRoom } from '../core/api-client.js';
import { controls } from '../styles/shared.js';

const SIZES = ['1280x720', '1920x1080', '1024x768', '1600x900', '800x600'];

/** The create form; fires `create-room` with a CreateRoom body. */
export class BrCreateRoom extends LitElement {
  static override properties = { busy: { type: Boolean }, error: {} };
  declare busy: boolean;
  declare error: string | null;

  constructor() {
    super();
    this.busy = false;
    this.error = null;
  }

  static override styles = [
    controls,
    css`
      form {
        padding: 1rem;
        display: grid;
        grid-template-columns: minmax(10rem, 2fr) repeat(3, minmax(6rem, 1fr)) auto;
        gap: 0.75rem;
        align-items: end;
      }
      h2 {
        grid-column: 1 / -1;
        margin: 0;
        font-size: 1rem;
      }
      .error {
        grid-column: 1 / -1;
        margin: 0;
        font-size: 0.85rem;
      }
      @media (max-width: 760px) {
        form {
          grid-template-columns: 1fr 1fr;
        }
        label:first-of-type,
        button {
          grid-column: 1 / -1;
        }
      }
    `,
  ];

  override render() {
    return html`<form class="card" @submit=${this.submit}>
      <h2>New room</h2>
      <label>Name <input name="name" maxlength="64" placeholder="e.g. pairing session" /></label>
      <label
        >Size
        <select name="size">
          ${SIZES.map((s) => html`<option value=${s}>${s.replace('x', ' × ')}</option>`)}
        </select></label
      >
      <label
        >Frame rate
        <select name="fps">
          <option value="30">30 fps</option>
          <option value="60">60 fps</option>
          <option value="15">15 fps</option>
        </select></label
      >
      <label
        >App
        <select name="app">
          <option value="terminal">Terminal</option>
          <option value="browser">Browser</option>
        </select></label
      >
      <button class="primary" type="submit" ?disabled=${this.busy}>
        ${this.busy ? 'Creating…' : 'Create room'}
      </button>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : null}
    </form>`;
  }

  private submit(e: SubmitEvent): void {
    e.preventDefault();
    const f = e.target as HTMLFormElement;
    const v = (n: string) => (f.elements.namedItem(n) as HTMLInputElement | HTMLSelectElement).value;
    const [w, h] = v('size').split('x').map(Number);
    const body: CreateRoom = {
      width: w!,
      height: h!,
      fps: Number(v('fps')),
      app: v('app') as CreateRoom['app'],
    };
    const name = v('name').trim();
    if (name) body.name = name;
    this.dispatchEvent(new CustomEvent('create-room', { detail: body, bubbles: true, composed: true }));
  }
}
customElements.define('br-create-room', BrCreateRoom);
