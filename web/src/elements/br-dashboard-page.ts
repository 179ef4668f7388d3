import { LitElement, css, html, nothing } from 'lit';
import {
  ApiClient,
  ApiError,
  type CreateRoom,
  type OidcSignIn,
  type OperatorSession,
  type Profile,
  type QuotaReport,
  type RoomTemplate,
} from '../core/api-client.js';
import { RoomsController } from '../controllers/rooms-controller.js';
import { pageHeader } from '../styles/blocks.js';
import { controls } from '../styles/shared.js';
import './br-account-menu.js';
import './br-api-tokens.js';
import './br-audit-log.js';
import './br-create-room.js';
import { profileKey, type ProfileRef } from './br-profile-list.js';
import './br-quota-meter.js';
import './br-room-card.js';
import './br-room-manage.js';
import './br-sign-in.js';

/**
 * `/`: sign in (OpenID Connect, or the admin token), then the rooms (polled), create, manage and delete, and the persistent
 * profiles (read again whenever the rooms change: a room's start or end takes or frees one). The
 * token is traded at once for an HttpOnly session cookie: no page script, ours or injected, can read
 * it afterwards.
 */
export class BrDashboardPage extends LitElement {
  static override properties = {
    csrf: { state: true },
    session: { state: true },
    oidc: { state: true },
    signInError: { state: true },
    creating: { state: true },
    createError: { state: true },
    deleting: { state: true },
    templates: { state: true },
    profiles: { state: true },
    profilesError: { state: true },
    deletingProfiles: { state: true },
    managing: { state: true },
    quota: { state: true },
  };
  /** the operator session's CSRF token: set while signed in */
  declare csrf: string | null;
  /** who is signed in (the account menu; admins see everyone's API tokens) */
  declare session: OperatorSession | null;
  /** whether the sign-in offers OpenID Connect */
  declare oidc: OidcSignIn | null;
  declare signInError: string | null;
  declare creating: boolean;
  declare createError: string | null;
  declare deleting: Set<string>;
  /** the room templates, once GET /api/templates answered (the form shows the built-in ones until then) */
  declare templates: RoomTemplate[] | null;
  /** GET /api/profiles' answer; null until it came */
  declare profiles: Profile[] | null;
  declare profilesError: string | null;
  declare deletingProfiles: Set<string>;
  /** the room whose management panel is open */
  declare managing: string | null;
  /** GET /api/quota's answer (read again with the profiles, and after each create) */
  declare quota: QuotaReport | null;
  private readonly rooms = new RoomsController(this);
  /** the rooms (ids and states) the profiles were last read for */
  private profilesReadFor: string | null = null;

  constructor() {
    super();
    this.csrf = null;
    this.session = null;
    this.oidc = null;
    this.signInError = null;
    this.creating = false;
    this.createError = null;
    this.deleting = new Set();
    this.templates = null;
    this.profiles = null;
    this.profilesError = null;
    this.deletingProfiles = new Set();
    this.managing = null;
    this.quota = null;
  }

  static override styles = [
    controls,
    pageHeader,
    css`
      :host {
        display: block;
      }
      header {
        gap: 1rem;
        padding: 0.8rem 1.25rem;
      }
      .brand {
        font-size: 1.1rem;
        letter-spacing: 0.01em;
        gap: 0.5rem;
      }
      .brand i {
        width: 18px;
        height: 13px;
      }
      main {
        max-width: 1200px;
        margin: 0 auto;
        padding: 1.25rem;
        display: flex;
        flex-direction: column;
        gap: 1.25rem;
      }
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(300px, 1fr));
        gap: 1rem;
      }
      .empty {
        padding: 2.5rem 1rem;
        text-align: center;
      }
      h2 {
        margin: 0;
        font-size: 1rem;
      }
      .row {
        display: flex;
        align-items: center;
        gap: 0.75rem;
      }
      @media (max-width: 520px) {
        main {
          padding: 0.75rem;
        }
        header {
          padding: 0.7rem 0.75rem;
        }
        .grid {
          grid-template-columns: 1fr;
        }
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    // still signed in from earlier (the cookie): carry on without asking
    new ApiClient(null).session().then(
      (s) => this.started(s),
      () => undefined,
    );
    new ApiClient(null).oidcSignIn().then(
      (o) => (this.oidc = o),
      () => undefined,
    );
  }

  private started(session: OperatorSession): void {
    const { csrf } = session;
    this.session = session;
    this.csrf = csrf;
    this.signInError = null;
    this.rooms.start(csrf);
    void this.rooms.client
      ?.listTemplates()
      .then((t) => (this.templates = t))
      .catch(() => undefined);
  }

  override updated(): void {
    if (!this.rooms.loaded) return;
    const rooms = this.rooms.rooms.map((r) => `${r.id}:${r.status}`).join(' ');
    if (rooms === this.profilesReadFor) return;
    this.profilesReadFor = rooms;
    void this.loadProfiles();
    void this.loadQuota();
  }

  private async loadQuota(): Promise<void> {
    this.quota = (await this.rooms.client?.quota().catch(() => null)) ?? null;
  }

  private async loadProfiles(): Promise<void> {
    const api = this.rooms.client;
    if (!api) return;
    try {
      this.profiles = await api.listProfiles();
      this.profilesError = null;
    } catch (err) {
      this.profilesError = err instanceof Error ? err.message : String(err);
    }
  }

  override render() {
    const signedIn = this.csrf && !this.rooms.unauthorized;
    return html`<header>
        <span class="brand"><i></i>boxroom</span>
        <span class="spacer"></span>
        ${signedIn ? html`<br-account-menu .session=${this.session} @sign-out=${this.signOut}></br-account-menu>` : nothing}
      </header>
      ${
        signedIn
          ? this.renderRooms()
          : html`<br-sign-in
              .oidc=${this.oidc}
              .error=${this.signInError ?? (this.rooms.unauthorized ? this.rooms.error : null)}
              @sign-in=${this.signIn}
            ></br-sign-in>`
      }`;
  }

  private renderRooms() {
    const list = this.rooms.rooms;
    return html`<main>
      <br-quota-meter .report=${this.quota}></br-quota-meter>
      <br-create-room
        .busy=${this.creating}
        .templates=${this.templates ?? undefined}
        .error=${this.createError}
        @create-room=${this.create}
      ></br-create-room>
      <div class="row">
        <h2>Rooms</h2>
        <span class="badge">${list.length}</span>
        ${this.rooms.error ? html`<span class="error" role="alert">${this.rooms.error}</span>` : nothing}
      </div>
      ${
        !this.rooms.loaded
          ? html`<div class="card empty muted row" style="justify-content:center">
              <span class="spinner"></span> Loading…
            </div>`
          : list.length === 0
            ? html`<div class="card empty muted">No rooms yet. Create one above.</div>`
            : html`${this.renderManage()}
                <div
                  class="grid"
                  @delete-room=${this.onDelete}
                  @manage-room=${(e: CustomEvent<string>) => (this.managing = e.detail)}
                >
                  ${list.map(
                    (r) =>
                      html`<br-room-card
                        .room=${r}
                        .thumbToken=${this.rooms.thumbToken(r.id)}
                        ?deleting=${this.deleting.has(r.id)}
                      ></br-room-card>`,
                  )}
                </div>`
      }
      <br-profile-list
        .profiles=${this.profiles}
        .deleting=${this.deletingProfiles}
        .error=${this.profilesError}
        @delete-profile=${this.onDeleteProfile}
      ></br-profile-list>
      <br-api-tokens .api=${this.rooms.client} ?admin=${this.session?.role === 'admin'}></br-api-tokens>
      <br-audit-log .api=${this.rooms.client}></br-audit-log>
    </main>`;
  }

  /** The open room's panel, fed by the poll (gone with the room). */
  private renderManage() {
    const room = this.rooms.rooms.find((r) => r.id === this.managing);
    if (!room) return nothing;
    return html`<br-room-manage
      .room=${room}
      .api=${this.rooms.client}
      @room-changed=${() => this.rooms.refresh()}
      @close-manage=${() => (this.managing = null)}
    ></br-room-manage>`;
  }

  private async signIn(e: CustomEvent<string>): Promise<void> {
    try {
      this.started(await new ApiClient(null).signIn(e.detail));
    } catch (err) {
      this.signInError =
        err instanceof ApiError && err.status === 401 ? 'That token was not accepted.' : String(err);
    }
  }

  private signOut(): void {
    void new ApiClient(null, '', this.csrf).signOut().catch(() => undefined);
    this.rooms.stop();
    this.csrf = null;
    this.session = null;
    this.profiles = null;
    // nothing of this account may show, even for a moment, to whoever signs in next on this page
    this.quota = null;
    this.managing = null;
    this.profilesReadFor = null;
  }

  private async create(e: CustomEvent<CreateRoom>): Promise<void> {
    const api = this.rooms.client;
    if (!api) return;
    this.creating = true;
    this.createError = null;
    try {
      await api.createRoom(e.detail);
      this.rooms.refresh();
    } catch (err) {
      this.createError = err instanceof ApiError ? err.message : String(err);
      if (err instanceof ApiError && err.code === 'quota_exceeded') void this.loadQuota();
    } finally {
      this.creating = false;
    }
  }

  private async onDelete(e: CustomEvent<string>): Promise<void> {
    const api = this.rooms.client;
    if (!api) return;
    this.deleting = new Set([...this.deleting, e.detail]);
    try {
      await api.deleteRoom(e.detail);
    } catch (err) {
      this.rooms.error = err instanceof Error ? err.message : String(err);
    } finally {
      this.deleting = new Set([...this.deleting].filter((id) => id !== e.detail));
      this.rooms.refresh();
    }
  }

  private async onDeleteProfile(e: CustomEvent<ProfileRef>): Promise<void> {
    const api = this.rooms.client;
    if (!api) return;
    const key = profileKey(e.detail);
    this.deletingProfiles = new Set([...this.deletingProfiles, key]);
    let failed: string | null = null;
    try {
      await api.deleteProfile(e.detail.name, e.detail.owner);
    } catch (err) {
      failed = err instanceof Error ? err.message : String(err);
    }
    this.deletingProfiles = new Set([...this.deletingProfiles].filter((k) => k !== key));
    await this.loadProfiles();
    // after the reload, which clears the list's error when it succeeds
    if (failed) this.profilesError = failed;
  }
}
customElements.define('br-dashboard-page', BrDashboardPage);
