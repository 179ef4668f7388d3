import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ApiClient, ApiError, type Room } from '../core/api-client.js';

const POLL_MS = 2000;
/** Viewer tokens for thumbnails are renewed this long before they expire. */
const TOKEN_RENEW_MARGIN_MS = 60_000;

/**
 * The dashboard's room list: GET /api/rooms every 2 s with the operator session. Thumbnails need a
 * room token (the agent checks signed tokens only), so the page asks for a short-lived viewer token of
 * each ready room (POST /api/rooms/:id/viewer-token: no join, nothing in the audit trail) and keeps it
 * until shortly before it expires.
 */
export class RoomsController implements ReactiveController {
  rooms: Room[] = [];
  loaded = false;
  error: string | null = null;
  /** the admin token was refused */
  unauthorized = false;
  private api: ApiClient | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly thumbTokens = new Map<string, { token: string; expiresAt: number }>();
  private readonly pendingTokens = new Set<string>();

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  /** `csrf`: the operator session's token (the session itself is an HttpOnly cookie). */
  start(csrf: string): void {
    this.api = new ApiClient(null, '', csrf);
    this.unauthorized = false;
    void this.poll();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.api = null;
  }

  hostDisconnected(): void {
    this.stop();
  }

  get client(): ApiClient | null {
    return this.api;
  }

  /** Poll now (after a create or delete). */
  refresh(): void {
    if (this.timer) clearTimeout(this.timer);
    void this.poll();
  }

  thumbToken(roomId: string): string | null {
    return this.thumbTokens.get(roomId)?.token ?? null;
  }

  private async poll(): Promise<void> {
    const api = this.api;
    if (!api) return;
    try {
      this.rooms = await api.listRooms();
      this.error = null;
      this.loaded = true;
      for (const r of this.rooms) if (r.status === 'ready') void this.ensureThumbToken(api, r);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        this.unauthorized = true;
        this.error = 'Your session ended. Sign in again.';
        this.host.requestUpdate();
        return;
      }
      this.error = err instanceof Error ? err.message : String(err);
    }
    this.host.requestUpdate();
    if (this.api === api) this.timer = setTimeout(() => void this.poll(), POLL_MS);
  }

  private async ensureThumbToken(api: ApiClient, room: Room): Promise<void> {
    const have = this.thumbTokens.get(room.id);
    if (have && have.expiresAt - Date.now() > TOKEN_RENEW_MARGIN_MS) return;
    if (this.pendingTokens.has(room.id)) return;
    this.pendingTokens.add(room.id);
    try {
      const r = await api.viewerToken(room.id);
      this.thumbTokens.set(room.id, { token: r.token, expiresAt: Date.parse(r.expiresAt) });
      this.host.requestUpdate();
    } catch {
      // no thumbnail for now; the next poll tries again
    } finally {
      this.pendingTokens.delete(room.id);
    }
  }
}
