import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { Value } from 'typebox/value';
import { AGENT_AUDIENCE, RelayUpMessage, type RelayDownMessage, type TokenClaims } from '@boxroom/contracts';
import { FLV_HEADER, flvAudioSeq, flvKeyframe, flvMeta, flvVideoSeq } from './flv-tags.js';

/** One WS /relay the stand-in agent accepted: what the relay sent, and a way to answer. */
export interface FakeRelayUpstream {
  ws: WebSocket;
  up: RelayUpMessage[];
  send(msg: RelayDownMessage): void;
}

/**
 * WS /relay as the real agent speaks it, closely enough for the dashboard's relay tests: dashboard
 * tokens only (4403), a join burst of hand-made FLV units (header, metadata, sequence headers, a
 * keyframe), and `join` answered `admitted` for a valid token of the room, `close` 4401 otherwise.
 */
export function fakeRelayRoute(
  app: FastifyInstance,
  verify: (token: string) => Promise<TokenClaims | null>,
  upstreams: FakeRelayUpstream[],
  /** act out an agent older than WS /relay: 404 */
  missing: () => boolean,
  /** set: every `join` is answered with this `close`, whatever its token */
  refusal: () => { code: number; reason: string } | null = () => null,
  /** true: each viewer is ended (`close` 1000) right after it is admitted; the upstream stays */
  endAfterAdmit: () => boolean = () => false,
): void {
  app.addHook('onRequest', async (req, reply) => {
    if (missing() && req.url.startsWith('/relay'))
      return reply.status(404).send({ error: { code: 'not_found', message: 'no such endpoint' } });
  });
  app.get('/relay', { websocket: true }, async (socket, req) => {
    const early: Buffer[] = [];
    const hold = (data: Buffer) => early.push(data);
    socket.on('message', hold);
    const claims = await verify((req.query as { token?: string }).token ?? '');
    socket.off('message', hold);
    if (claims?.aud !== AGENT_AUDIENCE) {
      socket.close(
        claims ? 4403 : 4401,
        claims ? 'only the dashboard may relay the stream' : 'invalid token',
      );
      return;
    }
    const upstream: FakeRelayUpstream = {
      ws: socket,
      up: [],
      send: (msg) => socket.send(JSON.stringify(msg)),
    };
    upstreams.push(upstream);
    for (const unit of [FLV_HEADER, flvMeta(), flvAudioSeq(), flvVideoSeq(), flvKeyframe(0)])
      socket.send(unit, { binary: true });
    const onMessage = (data: Buffer) => {
      const msg: unknown = JSON.parse(String(data));
      if (!Value.Check(RelayUpMessage, msg)) return socket.close(1008, 'not a relay message');
      upstream.up.push(msg);
      if (msg.type === 'leave') return;
      void verify(msg.token).then((c) => {
        const refused = refusal();
        const admitted = !refused && c?.aud === undefined && c !== null;
        upstream.send(
          refused
            ? { type: 'close', id: msg.id, ...refused }
            : admitted
              ? { type: 'admitted', id: msg.id }
              : { type: 'close', id: msg.id, code: 4401, reason: 'invalid token' },
        );
        if (admitted && endAfterAdmit())
          upstream.send({ type: 'close', id: msg.id, code: 1000, reason: 'stream ended' });
      });
    };
    socket.on('message', onMessage);
    for (const data of early) onMessage(data);
  });
}
