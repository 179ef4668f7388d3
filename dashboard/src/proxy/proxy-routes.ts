import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { WS_CLOSE, type TokenClaims } from '@boxroom/contracts';
import { RoomIdParams, StreamQuery, errorResponses } from '../api/schemas.js';
import type { TokenService } from '../auth/token-service.js';
import { AppError, errors } from '../errors.js';
import type { Metrics } from '../http/metrics.js';
import type { Logger } from '../logger.js';
import { HttpRelayClient, WsRelayClient } from '../relay/relay-client.js';
import { RelayHub } from '../relay/relay-hub.js';
import type { RoomManager } from '../rooms/room-manager.js';
import { proxyHttp } from './http-proxy.js';
import { SocketQuota } from './socket-quota.js';
import { EarlyMessages, offeredProtocols, proxyWebSocket } from './ws-proxy.js';

const HTTP_PATHS = ['stream.flv', 'snapshot.jpg'] as const;
const WS_PATHS = ['stream', 'input', 'session'] as const;

/** The raw query string, as the client sent it: the agent reads `?token=` itself. */
function searchOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? '' : url.slice(q);
}

/**
 * The room token of an edge request, exactly the one the agent will read: `Authorization: Bearer`,
 * else `?token=`. A WebSocket upgrade reaches the agent with its query string only (no Authorization),
 * so there the edge reads the query too: checking a header the agent never sees would let another
 * token through in the query.
 */
function tokenOf(req: FastifyRequest, kind: 'http' | 'ws'): string | null {
  const auth = req.headers.authorization;
  if (kind === 'http' && auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  const query = new URLSearchParams(searchOf(req.url)).getAll('token');
  // two tokens: the agent's parser makes an array of them and refuses; so does the edge
  return query.length === 1 ? query[0]! : null;
}

/**
 * The dashboard's own check before anything reaches an agent: a token of this room, and not one of
 * the dashboard's agent-call tokens (the agent would take those; the edge is the public's door).
 * Returns the token's claims.
 */
async function checkToken(
  tokens: TokenService,
  req: FastifyRequest,
  roomId: string,
  kind: 'http' | 'ws',
): Promise<TokenClaims> {
  const token = tokenOf(req, kind);
  if (!token) throw errors.unauthorized('missing token');
  return tokens.verify(token, roomId);
}

function toWsUrl(agentUrl: string, path: string, search: string): string {
  const url = new URL(`/${path}${search}`, agentUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

function forwardedHeaders(req: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  // req.ip: the client through trusted proxies only (BOXROOM_TRUSTED_PROXIES); undefined when injected
  const ip = req.ip as string | undefined;
  if (ip) out['x-forwarded-for'] = ip;
  if (req.headers['user-agent']) out['user-agent'] = req.headers['user-agent'];
  return out;
}

/**
 * The edge: /rooms/:id/* goes to that room's agent. Both check the token (`?token=` or a bearer):
 * here that it is a token of this very room and no agent-call token, at the agent the rest (roles,
 * control). Never logs the query string. With `relay` on, WS /rooms/:id/stream and GET
 * /rooms/:id/stream.flv are not proxied 1:1 but served by this replica's relay of the room (one
 * upstream per room, relay/relay-hub.ts), except for an agent without WS /relay.
 */
export const proxyRoutes: FastifyPluginAsyncTypebox<{
  rooms: RoomManager;
  tokens: TokenService;
  metrics: Metrics;
  log: Logger;
  /** WebSockets one token subject of a room may hold open (BOXROOM_MAX_SOCKETS_PER_PRINCIPAL); 0: no cap */
  maxSocketsPerPrincipal?: number;
  /** BOXROOM_RELAY: the room's stream (WS and HTTP-FLV) through one upstream per room, logging here; null: off */
  relay: { log: Logger } | null;
}> = async (app, { rooms, tokens, metrics, log, maxSocketsPerPrincipal = 0, relay }) => {
  const quota = maxSocketsPerPrincipal > 0 ? new SocketQuota(maxSocketsPerPrincipal) : null;
  const principalOf = (c: TokenClaims) => `${c.room ?? '*'}:${c.sub}`;
  const hub = relay
    ? new RelayHub({
        agentToken: (room) =>
          tokens.issueForAgent({ sub: 'boxroom-dashboard', name: 'dashboard', role: 'operator', room }),
        log: relay.log,
      })
    : null;
  if (hub) {
    metrics.relay(hub);
    app.addHook('onClose', async () => hub.close());
  }
  for (const path of HTTP_PATHS) {
    app.get(
      `/rooms/:id/${path}`,
      {
        exposeHeadRoute: false,
        schema: {
          summary:
            path === 'stream.flv' ? 'Live stream, HTTP-FLV (H.264 + AAC)' : 'A JPEG of the desktop now',
          tags: ['room edge'],
          security: [],
          params: RoomIdParams,
          querystring: StreamQuery,
          response: errorResponses(400, 401, 403, 404, 410, 503),
        },
      },
      async (req, reply) => {
        const agentUrl = await rooms.agentUrl(req.params.id);
        await checkToken(tokens, req, req.params.id, 'http');
        if (hub && path === 'stream.flv' && hub.relays(req.params.id)) {
          // headers only once the agent admitted the viewer (`join` with its own token); a refusal
          // at join is thrown as the HTTP error the agent's GET /stream.flv answers
          const client = new HttpRelayClient(reply.raw, () => reply.hijack());
          try {
            await hub.attach(req.params.id, agentUrl, client, tokenOf(req, 'http')!);
          } catch (err) {
            throw errors.roomUnavailable(req.params.id, err);
          }
          if ((await client.outcome) === 'gone') reply.hijack(); // nobody left to answer
          return;
        }
        reply.hijack();
        proxyHttp({
          target: new URL(`/${path}${searchOf(req.url)}`, agentUrl),
          headers: req.headers,
          remoteAddress: req.ip,
          res: reply.raw,
          log: log.child({ room: req.params.id, path }),
          traffic: metrics.proxy(path),
        });
      },
    );
  }

  for (const path of WS_PATHS) {
    app.route({
      method: 'GET',
      url: `/rooms/:id/${path}`,
      // hidden as @fastify/websocket hides `websocket: true` routes (the description lists them)
      schema: { params: RoomIdParams, hide: true },
      // A plain GET gets our error shape (the plugin's default is an empty 404).
      handler: async () => {
        throw errors.badRequest(`/rooms/:id/${path} is a WebSocket endpoint: send an upgrade request`);
      },
      wsHandler: async (socket: WebSocket, req: FastifyRequest<{ Params: { id: string } }>) => {
        const { id } = req.params;
        let agentUrl: string;
        try {
          agentUrl = await rooms.agentUrl(id, 'known');
        } catch (err) {
          const code = !(err instanceof AppError)
            ? WS_CLOSE.unavailable
            : err.code === 'not_found'
              ? WS_CLOSE.notFound
              : err.code === 'gone'
                ? WS_CLOSE.roomFailed
                : WS_CLOSE.unavailable;
          socket.close(code, err instanceof AppError ? err.message : 'room unavailable');
          return;
        }
        // The signature check yields to the event loop: hold what the client sends meanwhile, bounded
        // in count and bytes (the socket is not authenticated yet).
        const early = new EarlyMessages();
        const hold = (data: RawData, isBinary: boolean) => void early.hold(socket, data, isBinary);
        socket.on('message', hold);
        let release: (() => void) | null = null;
        try {
          const claims = await checkToken(tokens, req, id, 'ws');
          if (quota) {
            release = quota.acquire(principalOf(claims));
            if (!release) {
              socket.close(
                WS_CLOSE.tooManySockets,
                `too many sockets: at most ${quota.max} per participant; close another tab`,
              );
              return;
            }
            socket.once('close', release);
          }
        } catch (err) {
          const refused = err instanceof AppError ? err : errors.unauthorized('invalid token');
          socket.close(
            refused.code === 'forbidden' ? WS_CLOSE.forbidden : WS_CLOSE.unauthorized,
            refused.message,
          );
          return;
        } finally {
          socket.off('message', hold);
        }
        if (socket.readyState !== socket.OPEN) {
          // closed while the token was checked (its 'close' may have fired before the slot was taken)
          release?.();
          return;
        }
        if (hub && path === 'stream' && hub.relays(id)) {
          // the edge checked the token; the agent checks it again on the upstream (join)
          hub.attach(id, agentUrl, new WsRelayClient(socket), tokenOf(req, 'ws')!).catch((err: unknown) => {
            log.error({ err, room: id }, 'could not relay the stream');
            socket.close(WS_CLOSE.unavailable, 'room unavailable');
          });
          return;
        }
        try {
          proxyWebSocket(socket, {
            target: toWsUrl(agentUrl, path, searchOf(req.url)),
            protocols: offeredProtocols(req.headers['sec-websocket-protocol']),
            headers: forwardedHeaders(req),
            log: log.child({ room: id, path }),
            traffic: metrics.proxy(path),
            early,
          });
        } catch (err) {
          log.error({ err, room: id, path }, 'could not open the agent websocket');
          release?.();
          socket.close(WS_CLOSE.unavailable, 'room unavailable');
        }
      },
    });
  }
};
