import { LitElement, css, html, nothing } from 'lit';
import { PROFILE_NAME_PATTERN, ROOM_TIMEOUT_MAX_S } from '@boxroom/contracts';
import type { CreateRoom, RoomTemplate } from '../core/api-client.js';
import { timeoutsFromMinutes } from '../core/room-lifetime.js';
import { controls } from '../styles/shared.js';

const SIZES = ['1280x720', '1920x1080', '1024x768', '1600x900', '800x600'];
const FPS = [30, 60, 15];

type TemplateChoice = Pick<
  RoomTemplate,
  'id' | 'name' | 'app' | 'description' | 'startUrl' | 'browserMode' | 'profiles'
>;

/** Until GET /api/templates answers: the built-in ones, which every dashboard has. */
const BUILT_IN: TemplateChoice[] = [
  { id: 'terminal', name: 'Terminal', app: 'terminal', profiles: true },
  { id: 'browser', name: 'Browser', app: 'browser', profiles: true },
  { id: 'desktop', name: 'Desktop', app: 'desktop', profiles: true },
];

/** The room's timeouts at create, in minutes (blank: the dashboard's default, 0: off). */
const TIMEOUT_FIELDS = [
  ['maxAge', 'Max age (min)'],
  ['noViewers', 'No viewers (min)'],
  ['noInput', 'No input (min)'],
] as const;

/**
 * The contract's pattern, checked in script: an HTML `pattern` is compiled with the `v` flag, which
 * refuses the unescaped `-` at the end of its character class.
 */
const PROFILE_NAME = new RegExp(PROFILE_NAME_PATTERN);
const PROFILE_NAME_HINT = '1 to 64 letters, digits, . _ or -, starting with a letter or digit';

/**
 * The create form; fires `create-room` with a CreateRoom body. The templates come from the page
 * (GET /api/templates); a browser template adds the start URL and the kiosk switch, a template with
 * `profiles` the persistent profile to keep its home in. Size and frame rate default to the
 * template's own; the timeouts (minutes) to the dashboard's.
 */
export class BrCreateRoom extends LitElement {
  static override properties = {
    busy: { type: Boolean },
    error: {},
    templates: { attribute: false },
    selected: { state: true },
  };
  declare busy: boolean;
  declare error: string | null;
  /** absent or empty: the built-in ones */
  declare templates: TemplateChoice[] | undefined;
  /** the chosen template's id */
  declare selected: string;

  constructor() {
    super();
    this.busy = false;
    this.error = null;
    this.templates = undefined;
    this.selected = 'terminal';
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
      .browser {
        grid-column: 1 / -1;
        display: grid;
        grid-template-columns: 1fr auto;
        gap: 0.75rem;
        align-items: end;
      }
      .profile {
        grid-column: 1 / -1;
        max-width: 24rem;
      }
      .timeouts {
        grid-column: 1 / -1;
        display: grid;
        grid-template-columns: repeat(3, minmax(6rem, 11rem));
        gap: 0.75rem;
      }
      .check {
        display: flex;
        gap: 0.4rem;
        align-items: center;
        white-space: nowrap;
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

  private list() {
    return this.templates?.length ? this.templates : BUILT_IN;
  }

  private chosen() {
    return this.list().find((t) => t.id === this.selected) ?? this.list()[0];
  }

  override render() {
    const t = this.chosen();
    return html`<form class="card" @submit=${this.submit}>
      <h2>New room</h2>
      <label>Name <input name="name" maxlength="64" placeholder="e.g. pairing session" /></label>
      <label
        >Size
        <select name="size">
          <option value="">Template's</option>
          ${SIZES.map((s) => html`<option value=${s}>${s.replace('x', ' × ')}</option>`)}
        </select></label
      >
      <label
        >Frame rate
        <select name="fps">
          <option value="">Template's</option>
          ${FPS.map((f) => html`<option value=${f}>${f} fps</option>`)}
        </select></label
      >
      <label
        >Template
        <select name="template" title=${t?.description ?? ''} @change=${this.choose}>
          ${this.list().map(
            (x) => html`<option value=${x.id} ?selected=${x.id === this.selected}>${x.name}</option>`,
          )}
        </select></label
      >
      <button class="primary" type="submit" ?disabled=${this.busy}>
        ${this.busy ? 'Creating…' : 'Create room'}
      </button>
      ${
        t?.app === 'browser'
          ? html`<div class="browser">
              <label
                >Start URL
                <input
                  name="startUrl"
                  type="url"
                  pattern="https?://.+"
                  maxlength="2048"
                  placeholder=${t.startUrl ?? 'https://example.com/ (blank: the template’s)'}
              /></label>
              <label class="check"
                ><input name="kiosk" type="checkbox" ?checked=${t.browserMode === 'kiosk'} /> Kiosk (full
                screen)</label
              >
            </div>`
          : nothing
      }
      ${
        t?.profiles
          ? html`<label class="profile"
              >Profile
              <input
                name="profile"
                maxlength="64"
                autocomplete="off"
                placeholder="none: nothing is kept"
                title="Keeps the app's home (browser profile, settings, files) for the next room with this name: ${PROFILE_NAME_HINT}"
                @input=${this.checkProfile}
            /></label>`
          : nothing
      }
      <div class="timeouts" title="Minutes; blank: the dashboard's default; 0: off">
        ${TIMEOUT_FIELDS.map(
          ([name, label]) =>
            html`<label
              >${label}
              <input
                name=${name}
                type="number"
                min="0"
                max=${ROOM_TIMEOUT_MAX_S / 60}
                step="1"
                inputmode="numeric"
                placeholder="default (min)"
            /></label>`,
        )}
      </div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : null}
    </form>`;
  }

  private choose(e: Event): void {
    this.selected = (e.target as HTMLSelectElement).value;
  }

  /** Blank (no profile) or a name the contract accepts; the browser then refuses to submit. */
  private checkProfile(e: Event): void {
    const input = e.target as HTMLInputElement;
    const name = input.value.trim();
    input.setCustomValidity(
      name === '' || PROFILE_NAME.test(name) ? '' : `A profile name is ${PROFILE_NAME_HINT}.`,
    );
  }

  private submit(e: SubmitEvent): void {
    e.preventDefault();
    const f = e.target as HTMLFormElement;
    const field = (n: string) => f.elements.namedItem(n) as HTMLInputElement | HTMLSelectElement | null;
    const v = (n: string) => field(n)?.value ?? '';
    const body: CreateRoom = { template: v('template') };
    if (v('size')) {
      const [w, h] = v('size').split('x').map(Number);
      body.width = w!;
      body.height = h!;
    }
    if (v('fps')) body.fps = Number(v('fps'));
    if (this.chosen()?.app === 'browser') {
      const url = v('startUrl').trim();
      if (url) body.startUrl = url;
      body.browserMode = (field('kiosk') as HTMLInputElement | null)?.checked ? 'kiosk' : 'normal';
    }
    const profile = this.chosen()?.profiles ? v('profile').trim() : '';
    if (profile) body.profile = profile;
    const timeouts = timeoutsFromMinutes({
      maxAgeS: v('maxAge'),
      noViewersS: v('noViewers'),
      noInputS: v('noInput'),
    });
    if (timeouts) body.timeouts = timeouts;
    const name = v('name').trim();
    if (name) body.name = name;
    this.dispatchEvent(new CustomEvent('create-room', { detail: body, bubbles: true, composed: true }));
  }
}
customElements.define('br-create-room', BrCreateRoom);
