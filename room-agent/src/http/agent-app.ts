import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import {
  AGENT_AUDIENCE,
  AgentRecordingBody,
  CONTROL_ACTIONS,
  AgentLiveSettings,
  RoomRights,
  isModerator,
  WS_CLOSE,
  type AgentMetrics,
  type AgentState,
  type ParticipantRef,
  type RoomExpiry,
  type TokenClaims,
} from '@boxroom/contracts';
import { Value } from 'typebox/value';
import type { ControlHistory } from '../control/control-history.js';
import type { RoomFiles } from '../files/room-files.js';
import { RightsRegistry } from '../auth/rights-registry.js';
import { AuthError, tokenFromRequest, type TokenVerifier } from '../auth/token-verifier.js';
import type { ControlLease } from '../control/control-lease.js';
import { redactUrl, type Logger } from '../logger.js';
import { ScreenResizeError } from '../desktop/screen-size.js';
import type { SessionHub } from '../session/session-hub.js';
import { SettingsRefused } from '../settings/settings-applier.js';
import { HttpError, installErrorHandlers } from './error-handler.js';
import { fileRoutes } from './file-routes.js';
import { relayRoute } from './relay-route.js';
import type {
  DesktopPort,
  HealthPort,
  InputPort,
  MetricsPort,
  RelayPort,
  SettingsPort,
  SnapshotPort,
  StreamPort,
} from './ports.js';

export interface AgentAppDeps {
  roomId: string;
  room: { width: number; height: number; fps: number };
  log: Logger;
  verifier: TokenVerifier;
  lease: ControlLease;
  history: ControlHistory;
  /** the room's lifecycle: set once a timeout ran out */
  expiry: { expired(): RoomExpiry | null; pending(): Array<{ reason: string; at: number }> };
  session: SessionHub;
  stream: StreamPort;
  input: InputPort;
  snapshots: SnapshotPort;
  health: HealthPort;
  /** kicks, revocations and token expiry of open connections (default: a fresh one) */
  rights?: RightsRegistry;
  desktop: DesktopPort;
  /** the room's files folder (absent: no /files endpoints) */
  files?: RoomFiles;
  /** a request carried a valid dashboard token (aud boxroom-agent): the dashboard is still there */
  dashboardHeard?: () => void;
  /** the room's live size and settings (hello carries them) and how a push is applied */
  settings: SettingsPort;
  /** the room's stream figures for GET /metrics (absent: no such endpoint) */
  metrics?: MetricsPort;
  /** the dashboards' relays of the stream (absent: no WS /relay) */
  relay?: RelayPort;
}

/** Longest GET /healthz?wait= hold: under the dashboard's and proxies' usual idle timeouts. */
export const HEALTH_WAIT_MAX_MS = 10_000;

const isControlAction = (action: string): boolean => (CONTROL_ACTIONS as readonly string[]).includes(action);

const refOf = (c: TokenClaims): ParticipantRef => ({ id: c.sub, name: c.name, role: c.role });

export const AGENT_MAX_HEADER_BYTES = 32 * 1024;

/**
 * The room agent's one port: health, the stream, input, the session channel, snapshots and control.
 * Every endpoint but /healthz needs a token of this room; WebSockets answer a bad token with close 4401.
 */
export async function buildAgentApp(deps: AgentAppDeps): Promise<FastifyInstance> {
  const { log, verifier, lease, session } = deps;
  const rights = deps.rights ?? new RightsRegistry(log.child({ mod: 'rights' }));
  /** the recording the dashboard says runs now (the dashboard records; everyone here is told) */
  let recording: { recordingId: string } | null = null;
  const liveSize = () => {
    const { width, height } = deps.settings.current();
    return { width, height };
  };
  const app = Fastify({
    loggerInstance: log.child({ mod: 'http' }) as FastifyBaseLogger,
    // Request URLs carry ?token=: our own hook logs them with the query string removed.
    disableRequestLogging: true,
    bodyLimit: 16 * 1024,
    // a file name of 255 bytes of UTF-8, percent-encoded, is up to 765 characters
    routerOptions: { maxParamLength: 1024 },
    // The edge forwards whatever headers it accepted (Node's default 16 KiB) plus a few of its own:
    // a limit above the edge's keeps every refusal (431 in the dashboard's error shape) at the edge.
    http: { maxHeaderSize: AGENT_MAX_HEADER_BYTES },
  });
  await app.register(fastifyWebsocket, { options: { maxPayload: 1024 * 1024 } });

  app.addHook('onResponse', async (req, reply) => {
    log.debug(
      { method: req.method, url: redactUrl(req.url), status: reply.statusCode, ms: reply.elapsedTime },
      'request',
    );
  });

  installErrorHandlers(app, log);

  /** A valid token of this room whose participant was not kicked and whose invite was not revoked. */
  const claimsOf = async (req: FastifyRequest): Promise<TokenClaims> => {
    const claims = await verifier.verify(tokenFromRequest(req.headers, req.query));
    if (claims.aud === AGENT_AUDIENCE) deps.dashboardHeard?.();
    rights.check(claims);
    return claims;
  };
  /** Closes the socket when the token's right ends (expiry, kick, revocation); stops on close. */
  const watch = (socket: WebSocket, claims: TokenClaims, close?: (code: number, reason: string) => void) => {
    const untrack = rights.track(claims, close ?? ((code, reason) => socket.close(code, reason)));
    socket.once('close', untrack);
  };
  session.on('renew', (participantId, token, socket) => {
    void verifier
      .verify(token)
      .then((claims) => {
        if (claims.sub !== participantId || claims.aud !== undefined) {
          throw new AuthError('a renewal must be a token of the same participant');
        }
        rights.renew(claims);
        session.reply(socket, { type: 'renewed', exp: claims.exp });
      })
      .catch((err: unknown) => {
        // Refused: the sockets keep their old deadline and close with 4410 (or 4411/4412) then.
        log.info({ participant: participantId, reason: (err as Error).message }, 'renewal refused');
      });
  });

  /**
   * WebSocket auth: close with 4401 and a reason rather than failing the upgrade, so browsers learn why.
   * The socket is paused while the token is checked, so a message the client sends at once (a session
   * ping) waits in the kernel instead of reaching a socket nobody listens to yet; the route resumes it
   * once its listeners are attached.
   */
  const wsClaims = async (socket: WebSocket, req: FastifyRequest): Promise<TokenClaims | null> => {
    socket.pause();
    try {
      const claims = await claimsOf(req);
      const failure = deps.health.failed?.();
      if (failure) {
        closePaused(socket, WS_CLOSE.roomFailed, `room failed: ${failure.detail}`.slice(0, 120));
        return null;
      }
      return claims;
    } catch (err) {
      const reason = err instanceof AuthError ? err.message : 'unauthorized';
      closePaused(socket, err instanceof AuthError ? err.closeCode : WS_CLOSE.unauthorized, reason);
      return null;
    }
  };
  /** A paused socket could not read the peer's close frame: resume, then close. */
  const closePaused = (socket: WebSocket, code: number, reason: string) => {
    socket.resume();
    socket.close(code, reason);
  };

  /**
   * `?wait=<ms>` (at most HEALTH_WAIT_MAX_MS): a room that is not ok yet answers the moment it is, or
   * when the wait runs out; the dashboard learns a new room is ready without a polling interval.
   */
  app.get<{ Querystring: { wait?: string } }>('/healthz', async (req, reply) => {
    const waitMs = Math.min(Number(req.query.wait) || 0, HEALTH_WAIT_MAX_MS);
    if (waitMs > 0) {
      const gone = new AbortController();
      const onClose = () => gone.abort();
      req.raw.socket.once('close', onClose);
      await deps.health.whenOk(waitMs, gone.signal);
      req.raw.socket.off('close', onClose);
    }
    const h = deps.health.health();
    return reply.status(h.status === 'ok' ? 200 : 503).send(h);
  });

  /**
   * Presence, the lease, viewers and whether the room expired, for the dashboard. `?since=<seq>`
   * limits `controlChanges` to those after that lease seq (the dashboard relays them as webhooks).
   */
  app.get<{ Querystring: { since?: string } }>('/state', async (req): Promise<AgentState> => {
    await claimsOf(req);
    const since = Number(req.query.since ?? 0);
    return {
      control: lease.state(),
      participants: session.participants(),
      viewers: deps.stream.viewerCount(),
      expired: deps.expiry.expired(),
      controlChanges: deps.history.since(Number.isSafeInteger(since) ? since : 0),
      settings: deps.settings.current(),
    };
  });

  /** The room's figures for the dashboard's Prometheus scrape; only the dashboard's own tokens. */
  const { metrics } = deps;
  if (metrics)
    app.get('/metrics', async (req): Promise<AgentMetrics> => {
      const claims = await claimsOf(req);
      if (claims.aud !== AGENT_AUDIENCE)
        throw new HttpError('forbidden', 'only the dashboard may read metrics');
      return metrics.snapshot();
    });

  app.get('/snapshot.jpg', async (req, reply) => {
    await claimsOf(req);
    const jpeg = await deps.snapshots.capture();
    return reply.header('content-type', 'image/jpeg').header('cache-control', 'no-store').send(jpeg);
  });

  app.get('/stream.flv', async (req, reply) => {
    const claims = await claimsOf(req);
    reply.hijack();
    // HTTP cannot say why: the response just ends when the token's right does.
    const untrack = rights.track(claims, () => reply.raw.end());
    reply.raw.once('close', untrack);
    reply.raw.writeHead(200, {
      'content-type': 'video/x-flv',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    // Send headers now: the player's fetch resolves before the first tag arrives.
    reply.raw.flushHeaders();
    deps.stream.attachHttp(reply.raw);
  });

  app.get('/stream', { websocket: true }, async (socket, req) => {
    const claims = await wsClaims(socket, req);
    if (!claims) return;
    watch(socket, claims);
    deps.stream.attachWs(socket);
    socket.resume();
  });

  if (deps.relay) relayRoute(app, { relay: deps.relay, wsClaims, closePaused });

  app.get('/session', { websocket: true }, async (socket, req) => {
    const claims = await wsClaims(socket, req);
    if (!claims) return;
    const who = refOf(claims);
    watch(socket, claims);
    session.attach(socket, who, (seq) => ({
      type: 'hello',
      seq,
      you: who,
      participants: session.participants(),
      control: lease.state(),
      room: { id: deps.roomId, ...deps.room, ...liveSize() },
      warnings: deps.expiry.pending(),
      settings: deps.settings.current().settings,
      recording,
    }));
    socket.resume();
  });

  app.get('/input', { websocket: true }, async (socket, req) => {
    const claims = await wsClaims(socket, req);
    if (!claims) return;
    if (lease.holderId() !== claims.sub) {
      closePaused(socket, WS_CLOSE.forbidden, 'you are not in control');
      return;
    }
    // Through the gate: an admitted socket releases what it holds before it closes.
    watch(socket, claims, (code, reason) => deps.input.close(socket, code, reason));
    // stays paused: the gate resumes it once x11vnc is connected
    deps.input.admit(socket, claims.sub);
  });

  /**
   * The dashboard's kicks and revocations (merged, so re-sending is harmless): refused from now on,
   * open connections they end are closed (4412, 4411), kicked participants lose control and their
   * place in the queue. Only the dashboard's own tokens (aud) may call it.
   */
  app.post<{ Body: unknown }>('/rights', async (req, reply) => {
    const claims = await claimsOf(req);
    if (claims.aud !== AGENT_AUDIENCE) throw new HttpError('forbidden', 'only the dashboard may set rights');
    if (!Value.Check(RoomRights, req.body)) throw new HttpError('bad_request', 'body must be RoomRights');
    rights.apply(req.body);
    for (const { participantId } of req.body.kicked) {
      if (rights.isKicked(participantId)) lease.remove(participantId);
    }
    return reply.status(204).send();
  });

  /**
   * The dashboard's word on recording: `{recordingId}` while one runs, null when none does. Each
   * change is announced to everyone in the room (nobody is recorded without seeing it).
   */
  app.post<{ Body: unknown }>('/recording', async (req, reply) => {
    const claims = await claimsOf(req);
    if (claims.aud !== AGENT_AUDIENCE) throw new HttpError('forbidden', 'only the dashboard may say so');
    if (!Value.Check(AgentRecordingBody, req.body))
      throw new HttpError('bad_request', 'body must be {"recordingId": string | null}');
    const next = req.body.recordingId;
    if (next !== (recording?.recordingId ?? null)) {
      if (recording)
        session.broadcast({ type: 'recording', state: 'stopped', recordingId: recording.recordingId });
      recording = next === null ? null : { recordingId: next };
      if (recording)
        session.broadcast({ type: 'recording', state: 'started', recordingId: recording.recordingId });
      log.info({ recording: next }, next ? 'recording announced' : 'recording ended');
    }
    return reply.status(204).send();
  });

  /**
   * The room's live size and settings, whole (re-sending is harmless), from the dashboard only: on a
   * PATCH /api/rooms/:id and whenever the room (re)becomes ready. 200 with what is in force; 409 when
   * the room cannot take the size. A change is announced on the session channel (`settings`).
   */
  app.post<{ Body: unknown }>('/settings', async (req) => {
    const claims = await claimsOf(req);
    if (claims.aud !== AGENT_AUDIENCE)
      throw new HttpError('forbidden', 'only the dashboard may change settings');
    if (!Value.Check(AgentLiveSettings, req.body))
      throw new HttpError('bad_request', 'body must be AgentLiveSettings');
    try {
      await deps.settings.apply(req.body);
    } catch (err) {
      if (err instanceof SettingsRefused || err instanceof ScreenResizeError)
        throw new HttpError('conflict', err.message);
      throw err;
    }
    return deps.settings.current();
  });

  app.post<{ Params: { action: string }; Body: unknown }>('/control/:action', async (req) => {
    const actor = refOf(await claimsOf(req));
    const { action } = req.params;
    if (!isControlAction(action)) throw new HttpError('not_found', `unknown control action "${action}"`);
    switch (action) {
      case 'request':
        return lease.request(actor);
      case 'release':
        return lease.release(actor);
      case 'take':
        return lease.take(actor);
      case 'reset':
        return lease.reset(actor);
      case 'lock':
      case 'unlock':
        return lease.setLocked(actor, action === 'lock');
      default: {
        // give: {participantId} names the new holder; without it, control goes to the queue's first.
        const id = (req.body as { participantId?: unknown } | null)?.participantId;
        if (id === undefined) return lease.give(actor, null);
        if (typeof id !== 'string' || id.length === 0 || id.length > 64) {
          throw new HttpError('bad_request', 'body must be {"participantId"?: string}');
        }
        const target = session.get(id);
        if (!target) throw new HttpError('not_found', 'that participant is not in the room');
        return lease.give(actor, target);
      }
    }
  });

  /**
   * Ends every process of the desktop and starts the window manager and the app afresh (see
   * desktop/desktop-reset.ts); viewers and control are untouched. Owners and operators, and the
   * dashboard's own token (it proxies the owner's request). 202: the reset runs on, a `desktop/reset`
   * session event announces it and health events follow the restart.
   */
  app.post('/desktop/reset', async (req, reply) => {
    const claims = await claimsOf(req);
    if (!isModerator(claims.role) && claims.aud !== AGENT_AUDIENCE)
      throw new HttpError('forbidden', 'only owners and operators may reset the desktop');
    deps.desktop.reset(claims.sub);
    return reply.status(202).send({ accepted: true });
  });

  const { files } = deps;
  if (files)
    await app.register(async (scope) =>
      fileRoutes(scope, { files, claimsOf, holderId: () => lease.holderId() }),
    );

  return app;
}
