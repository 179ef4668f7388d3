import type { ControlState, ParticipantRef, Role } from '@boxroom/contracts';

export type RoomStatus = 'starting' | 'ready' | 'stopping' | 'failed';
export type RoomApp = 'terminal' | 'browser';

export interface RoomLinks {
  participant: string;
  viewer: string;
  owner: string;
}

export interface Room {
  id: string;
  name: string;
  status: RoomStatus;
  createdAt: string;
  width: number;
  height: number;
  fps: number;
  app: RoomApp;
  links?: RoomLinks;
  viewers?: number | null;
  controller?: ParticipantRef | null;
  /** `compatible: false`: started by another build of the dashboard; listed, not driven (docs/protocol.md) */
  agentProtocol?: { version: number | null; compatible: boolean } | null;
}

export interface CreateRoom {
  name?: string;
  width?: number;
  height?: number;
  fps?: number;
  app?: RoomApp;
}

export interface JoinResult {
  token: string;
  role: Role;
  participantId: string;
  expiresAt: string;
  /** the room at the time of the join: when `ready`, the stream can start at once */
  room: Pick<Room, 'id' | 'name' | 'status' | 'width' | 'height' | 'fps' | 'app'>;
}

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

/** The operator's page session (an HttpOnly cookie the page never sees) and its CSRF token. */
export interface OperatorSession {
  csrf: string;
  expiresAt: string;
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
    return this.call<{ rooms: Room[] }>('GET', '/api/rooms').then((r) => r.rooms);
  }

  getRoom(id: string): Promise<Room> {
    return this.call('GET', `/api/rooms/${enc(id)}`);
  }

  createRoom(body: CreateRoom): Promise<Room> {
    return this.call('POST', '/api/rooms', body);
  }

  deleteRoom(id: string): Promise<void> {
    return this.call('DELETE', `/api/rooms/${enc(id)}`);
  }

  join(id: string, invite: string, name: string): Promise<JoinResult> {
    return this.call('POST', `/api/rooms/${enc(id)}/join`, { invite, name });
  }

  /** A new token of the same participant (the current one as the bearer). */
  renewToken(id: string): Promise<{ token: string; expiresAt: string }> {
    return this.call('POST', `/api/rooms/${enc(id)}/token`);
  }

  kick(id: string, participantId: string): Promise<void> {
    return this.call('POST', `/api/rooms/${enc(id)}/participants/${enc(participantId)}/kick`);
  }

  revokeInvite(id: string, role: 'owner' | 'participant' | 'viewer'): Promise<RoomLinks> {
    return this.call('POST', `/api/rooms/${enc(id)}/invites/${role}/revoke`);
  }

  control(id: string, verb: 'request' | 'release' | 'take' | 'reset'): Promise<ControlState> {
    return this.call('POST', `/api/rooms/${enc(id)}/control/${verb}`);
  }

  give(id: string, participantId: string): Promise<ControlState> {
    return this.call('POST', `/api/rooms/${enc(id)}/control/give`, { participantId });
  }

  /** Owners and operators: end every program in the room's desktop and start the app afresh (202). */
  resetDesktop(id: string): Promise<{ room: string; status: 'resetting' }> {
    return this.call('POST', `/api/rooms/${enc(id)}/desktop/reset`);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    else if (this.csrf && method !== 'GET') headers['x-csrf-token'] = this.csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, null, 'cannot reach the server');
    }
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
