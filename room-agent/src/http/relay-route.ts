import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { AGENT_AUDIENCE, WS_CLOSE, type TokenClaims } from '@boxroom/contracts';
import type { RelayPort } from './ports.js';

export interface RelayRouteDeps {
  relay: RelayPort;
  /** the socket's token checked (closed with 4401/4410/4411/4412/4504 and null when refused); paused */
  wsClaims(socket: WebSocket, req: FastifyRequest): Promise<TokenClaims | null>;
  /** closes a paused socket */
  closePaused(socket: WebSocket, code: number, reason: string): void;
}

/**
 * WS /relay: one dashboard replica's upstream for all its viewers of the room (contracts/src/relay.ts).
 * Only the dashboard's own agent-call tokens open it (4403 otherwise); the token vouches for the
 * opening, as an API call's does: the upstream then lives as long as the replica has viewers, and
 * each of those is checked on its own token (RelayUpstreams).
 */
export function relayRoute(app: FastifyInstance, deps: RelayRouteDeps): void {
  app.get('/relay', { websocket: true }, async (socket, req) => {
    const claims = await deps.wsClaims(socket, req);
    if (!claims) return;
    if (claims.aud !== AGENT_AUDIENCE) {
      deps.closePaused(socket, WS_CLOSE.forbidden, 'only the dashboard may relay the stream');
      return;
    }
    deps.relay.attach(socket);
    socket.resume();
  });
}
