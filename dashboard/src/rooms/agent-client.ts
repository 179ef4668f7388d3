import { Value } from 'typebox/value';
import {
  AgentLiveSettings,
  AgentMetrics,
  ControlChange,
  ControlState,
  RoomExpiry,
  type AgentState,
  type ControlAction,
  type RoomRights,
  type ErrorCode,
} from '@boxroom/contracts';
import { AppError, codeForStatus, errors } from '../errors.js';

const AGENT_TIMEOUT_MS = 3000;

/** Statuses from the agent that mean "your request": passed to the caller with the agent's message. */
const PASS_THROUGH: ReadonlySet<ErrorCode> = new Set([
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
]);

function publicMessage(body: unknown, fallback: string): string {
  const msg = (body as { error?: { message?: unknown } } | null)?.error?.message;
  return typeof msg === 'string' && msg.length <= 200 ? msg : fallback;
}

/** Talks to a room agent's HTTP API on behalf of a caller, whose token it forwards. */
export class AgentClient {
  constructor(private readonly timeoutMs: number = AGENT_TIMEOUT_MS) {}

  /** GET /state; `sinceSeq` limits controlChanges to those after that lease seq. */
  async state(roomId: string, agentUrl: string, token: string, sinceSeq = 0): Promise<AgentState> {
    const path = sinceSeq > 0 ? `/state?since=${sinceSeq}` : '/state';
    const body = await this.call(roomId, agentUrl, path, { method: 'GET', token });
    const s = body as Partial<AgentState> | null;
    if (!s || !Value.Check(ControlState, s.control) || typeof s.viewers !== 'number') {
      throw errors.roomUnavailable(roomId, new Error('malformed /state answer'));
    }
    return {
      control: s.control,
      participants: Array.isArray(s.participants) ? s.participants : [],
      viewers: s.viewers,
      // Older agents lack these: no expiry, no change log, never an error.
      expired: Value.Check(RoomExpiry, s.expired) ? s.expired : null,
      controlChanges: Array.isArray(s.controlChanges)
        ? s.controlChanges.filter((c): c is ControlChange => Value.Check(ControlChange, c))
        : [],
      ...(Value.Check(AgentLiveSettings, s.settings) ? { settings: s.settings } : {}),
    };
  }

  /** GET /metrics (a dashboard token): the room's stream figures; `timeoutMs` short for a scrape. */
  async metrics(roomId: string, agentUrl: string, token: string, timeoutMs?: number): Promise<AgentMetrics> {
    const body = await this.call(roomId, agentUrl, '/metrics', { method: 'GET', token, timeoutMs });
    if (!Value.Check(AgentMetrics, body))
      throw errors.roomUnavailable(roomId, new Error('malformed /metrics answer'));
    return body;
  }

  async control(
    roomId: string,
    agentUrl: string,
    token: string,
    action: ControlAction,
    body?: unknown,
  ): Promise<ControlState> {
    const answer = await this.call(roomId, agentUrl, `/control/${action}`, {
      method: 'POST',
      token,
      body: body ?? {},
    });
    if (!Value.Check(ControlState, answer))
      throw errors.roomUnavailable(roomId, new Error('malformed control answer'));
    return answer;
  }

  /** POST /rights: the room's kicks and revocations (needs a dashboard token with the agent audience). */
  async rights(roomId: string, agentUrl: string, token: string, rights: RoomRights): Promise<void> {
    await this.call(roomId, agentUrl, '/rights', { method: 'POST', token, body: rights });
  }

  /** POST /recording: the recording running now (null: none); the agent tells everyone in the room. */
  async recording(
    roomId: string,
    agentUrl: string,
    token: string,
    recordingId: string | null,
  ): Promise<void> {
    await this.call(roomId, agentUrl, '/recording', { method: 'POST', token, body: { recordingId } });
  }

  /** POST /settings: the room's live size and settings, whole (needs a dashboard token). */
  async settings(roomId: string, agentUrl: string, token: string, next: AgentLiveSettings): Promise<void> {
    await this.call(roomId, agentUrl, '/settings', { method: 'POST', token, body: next });
  }

  /** POST /desktop/reset: the agent ends every process of the desktop user and restarts the wm and app. */
  async resetDesktop(roomId: string, agentUrl: string, token: string): Promise<void> {
    await this.call(roomId, agentUrl, '/desktop/reset', { method: 'POST', token, body: {} });
  }

  private async call(
    roomId: string,
    agentUrl: string,
    path: string,
    opts: { method: 'GET' | 'POST'; token: string; body?: unknown; timeoutMs?: number | undefined },
  ): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(new URL(path, agentUrl), {
        method: opts.method,
        headers: {
          authorization: `Bearer ${opts.token}`,
          ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
        signal: AbortSignal.timeout(opts.timeoutMs ?? this.timeoutMs),
      });
    } catch (err) {
      throw errors.roomUnavailable(roomId, err);
    }
    const body: unknown = await res.json().catch(() => null);
    if (res.ok) return body;
    const code = codeForStatus(res.status);
    if (PASS_THROUGH.has(code))
      throw new AppError(code, publicMessage(body, `room agent refused: ${res.status}`));
    throw errors.roomUnavailable(roomId, new Error(`agent ${path} answered ${res.status}`));
  }
}
