import type {
  Account,
  AccountList,
  ApiToken,
  ApiTokenList,
  CreateApiTokenBody,
  CreatedApiToken,
  OidcSignIn,
  AuditList,
  ControlState,
  ControlVerb,
  CreateRoomBody,
  DesktopResetResult,
  EndedRoomJoinResult,
  InviteRole,
  JoinResult,
  OperatorSession,
  Recording,
  RecordingList,
  RecordingResult,
  RecordingTimelineEntry,
  PatchRoomBody,
  Profile,
  ProfileList,
  QuotaReport,
  RenewResult,
  Room,
  RoomLinks,
  RoomList,
  RoomTemplate,
  TemplateList,
  ViewerToken,
} from '@boxroom/contracts';

// The API's shapes are the contracts' (one source: the dashboard validates and documents the same).
export type {
  Account,
  ApiToken,
  CreatedApiToken,
  OidcSignIn,
  EndedRoomJoinResult,
  JoinResult,
  OperatorSession,
  Profile,
  QuotaReport,
  Recording,
  RecordingTimelineEntry,
  Room,
  RoomLinks,
  RoomTemplate,
};

/** What POST /api/rooms/:id/join answers: a live room, or (`ended`) a token for an ended room's recordings. */
export type AnyJoinResult = JoinResult | EndedRoomJoinResult;

export const isEndedJoin = (r: AnyJoinResult): r is EndedRoomJoinResult =>
  (r as Partial<EndedRoomJoinResult>).ended === true;
export type { RoomApp, RoomStatus } from '@boxroom/contracts';
export type CreateRoom = CreateRoomBody;

/** A failed API call: HTTP status (0: network), the API's error code and message. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string | null,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The dashboard's REST API, same origin. `token`: a participant token (bearer); null with `csrf`:
 * the operator's session cookie, which the browser sends by itself, plus its CSRF token on changes.
 */
export class ApiClient {
  constructor(
    private readonly token: string | null,
    private readonly base = '',
    private readonly csrf: string | null = null,
  ) {}

  /** Trades the admin token for the session cookie; the token is not kept anywhere. */
  signIn(adminToken: string): Promise<OperatorSession> {
    return this.call('POST', '/api/session', { token: adminToken });
  }

  /** The current operator session (ApiError 401 when signed out). */
  session(): Promise<OperatorSession> {
    return this.call('GET', '/api/session');
  }

  signOut(): Promise<void> {
    return this.call('DELETE', '/api/session');
  }

  listRooms(): Promise<Room[]> {
    return this.call<RoomList>('GET', '/api/rooms').then((r) => r.rooms);
  }

  /** `waitMs`: a starting room is answered when its status moves (or after that long), not at once. */
  getRoom(id: string, waitMs = 0): Promise<Room> {
    return this.call('GET', `/api/rooms/${enc(id)}${waitMs > 0 ? `?wait=${waitMs}` : ''}`);
  }

  /** The room templates a create may name (built-in, the operator's file, the API's). */
  listTemplates(): Promise<RoomTemplate[]> {
    return this.call<TemplateList>('GET', '/api/templates').then((r) => r.templates);
  }

  createRoom(body: CreateRoom): Promise<Room> {
    return this.call('POST', '/api/rooms', body);
  }

  deleteRoom(id: string): Promise<void> {
    return this.call('DELETE', `/api/rooms/${enc(id)}`);
  }

  /** Persistent profiles: an operator sees every owner's. */
  listProfiles(): Promise<Profile[]> {
    return this.call<ProfileList>('GET', '/api/profiles').then((r) => r.profiles);
  }

  /** A profile and everything it kept (409 `profile_in_use` while a room has it). */
  deleteProfile(name: string, owner: string): Promise<void> {
    return this.call('DELETE', `/api/profiles/${enc(name)}?owner=${enc(owner)}`);
  }

  join(id: string, invite: string, name: string): Promise<AnyJoinResult> {
    return this.call('POST', `/api/rooms/${enc(id)}/join`, { invite, name });
  }

  /** A new token of the same participant (the current one as the bearer). */
  renewToken(id: string): Promise<RenewResult> {
    return this.call('POST', `/api/rooms/${enc(id)}/token`);
  }

  kick(id: string, participantId: string): Promise<void> {
    return this.call('POST', `/api/rooms/${enc(id)}/participants/${enc(participantId)}/kick`);
  }

  revokeInvite(id: string, role: InviteRole): Promise<RoomLinks> {
    return this.call('POST', `/api/rooms/${enc(id)}/invites/${role}/revoke`);
  }

  control(id: string, verb: ControlVerb): Promise<ControlState> {
    return this.call('POST', `/api/rooms/${enc(id)}/control/${verb}`);
  }

  give(id: string, participantId: string): Promise<ControlState> {
    return this.call('POST', `/api/rooms/${enc(id)}/control/give`, { participantId });
  }

  /** Owners and operators: end every program in the room's desktop and start the app afresh (202). */
  resetDesktop(id: string): Promise<DesktopResetResult> {
    return this.call('POST', `/api/rooms/${enc(id)}/desktop/reset`);
  }

  /** Owners and operators: change the running room's size or clipboard policy; answers the room. */
  patchRoom(id: string, body: PatchRoomBody): Promise<Room> {
    return this.call('PATCH', `/api/rooms/${enc(id)}`, body);
  }

  /** Owners and operators: the room's recording starts (409 `already_recording`) or stops (409 `not_recording`). */
  recording(id: string, verb: 'start' | 'stop'): Promise<Recording> {
    return this.call<RecordingResult>('POST', `/api/rooms/${enc(id)}/recording/${verb}`).then(
      (r) => r.recording,
    );
  }

  /** A room's recordings, newest first. */
  listRecordings(roomId: string): Promise<Recording[]> {
    return this.call<RecordingList>('GET', `/api/recordings?room=${enc(roomId)}`).then((r) => r.recordings);
  }

  /** One recording, with fresh signed links (`links.play` of a running one is its growing playlist). */
  getRecording(rid: string): Promise<Recording> {
    return this.call('GET', `/api/recordings/${enc(rid)}`);
  }

  /** A recording's timeline, `t` in media seconds. */
  recordingEvents(rid: string): Promise<RecordingTimelineEntry[]> {
    return this.call('GET', `/api/recordings/${enc(rid)}/events`);
  }

  /** The frame at `t` as JPEG (fetched with the bearer, so an <img> shows it through an object URL). */
  async recordingFrame(rid: string, t: number): Promise<Blob> {
    const res = await this.send('GET', `/api/recordings/${enc(rid)}/frame.jpg?t=${t.toFixed(2)}`);
    if (!res.ok) throw new ApiError(res.status, null, `HTTP ${res.status}`);
    return res.blob();
  }

  /** Whether the sign-in page offers "Sign in with …" (OpenID Connect), and its login URL. */
  oidcSignIn(): Promise<OidcSignIn> {
    return this.call('GET', '/api/auth/oidc');
  }

  /** The signed-in account's personal API tokens (an admin's `all`: everyone's). */
  listApiTokens(all = false): Promise<ApiToken[]> {
    return this.call<ApiTokenList>('GET', `/api/tokens${all ? '?all=true' : ''}`).then((r) => r.tokens);
  }

  /** A new token: its secret is in this answer only. */
  createApiToken(body: CreateApiTokenBody): Promise<CreatedApiToken> {
    return this.call('POST', '/api/tokens', body);
  }

  revokeApiToken(id: string): Promise<void> {
    return this.call('DELETE', `/api/tokens/${enc(id)}`);
  }

  /** Admins: the accounts that signed in so far. */
  listAccounts(): Promise<Account[]> {
    return this.call<AccountList>('GET', '/api/accounts').then((r) => r.accounts);
  }

  /** A page of the audit trail (`query`: GET /api/audit's query string, from auditQuery). */
  listAudit(query: string): Promise<AuditList> {
    return this.call('GET', `/api/audit${query}`);
  }

  /** The signed-in account's quota: limits (null: none) and usage. */
  quota(): Promise<QuotaReport> {
    return this.call('GET', '/api/quota');
  }

  /** A short-lived viewer token of a room the signed-in account may watch (its thumbnail): no join. */
  viewerToken(id: string): Promise<ViewerToken> {
    return this.call('POST', `/api/rooms/${enc(id)}/viewer-token`);
  }

  private async send(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    else if (this.csrf && method !== 'GET') headers['x-csrf-token'] = this.csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await fetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, null, 'cannot reach the server');
    }
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, path, body);
    if (res.status === 204) return undefined as T;
    const data = (await res.json().catch(() => null)) as unknown;
    if (!res.ok) {
      const err = (data as { error?: { code?: string; message?: string } } | null)?.error;
      throw new ApiError(res.status, err?.code ?? null, err?.message ?? `HTTP ${res.status}`);
    }
    return data as T;
  }
}

const enc = encodeURIComponent;

/** The invite secret from a room link's fragment (`#invite=...`), or null. */
export function inviteFromHash(hash: string): string | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const v = params.get('invite');
  return v && v.length > 0 ? v : null;
}

/** The room id of a `/r/:id` path, or null. */
export function roomIdFromPath(pathname: string): string | null {
  const m = /^\/r\/([a-z0-9]+)\/?$/.exec(pathname);
  return m?.[1] ?? null;
}

/** URL of a room edge path with the token in the query (browsers cannot set WebSocket headers). */
export function edgeUrl(
  origin: string,
  roomId: string,
  path: 'stream.flv' | 'stream' | 'input' | 'session' | 'snapshot.jpg',
  token: string,
  ws = false,
): string {
  const u = new URL(`/rooms/${enc(roomId)}/${path}`, origin);
  if (ws) u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.searchParams.set('token', token);
  return u.toString();
}
