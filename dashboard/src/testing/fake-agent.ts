import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { importSPKI, jwtVerify } from 'jose';
import type { WebSocket } from 'ws';
import { Value } from 'typebox/value';
import {
  AGENT_AUDIENCE,
  AGENT_PROTOCOL_VERSION,
  AgentLiveSettings,
  type AgentMetrics,
  type ControlState,
  type Presence,
  type TokenClaims,
} from '@boxroom/contracts';
import { fakeRelayRoute, type FakeRelayUpstream } from './fake-relay-route.js';

export interface FakeAgent {
  app: FastifyInstance;
  url: string;
  /** every request the agent saw: method, url (with query), authorization */
  seen: Array<{ method: string; url: string; authorization?: string }>;
  control: ControlState;
  participants: Presence[];
  viewers: number;
  /** what /healthz reports as `protocol` (undefined: left out, as agents before versions did) */
  protocol: number | undefined;
  /** the last socket each WS path accepted */
  sockets: Map<string, WebSocket>;
  /** the claims of every POST /desktop/reset it carried out */
  resets: TokenClaims[];
  /** every POST /recording body (the dashboard's word on the recording running now) */
  recordings: Array<string | null>;
  /** every POST /settings it took, in order */
  settings: AgentLiveSettings[];
  /**
   * the settings it applies now, reported by /state (undefined: left out, as agents of earlier builds
   * did); a POST /settings it takes sets them. Tests set them back to act out a restart.
   */
  live: AgentLiveSettings | undefined;
  /** POST /settings calls still to answer 503 (a push that fails) */
  failSettings: number;
  /** false: refuses a POST /settings with `timeouts` (400), as agents of earlier builds did */
  takesTimeouts: boolean;
  /** how long POST /settings takes (a screen that resizes slowly) */
  settingsDelayMs: number;
  /** what GET /files answers (200, JSON), as given: tests make it malformed or huge */
  filesAnswer: string;
  /** the largest size it takes (its screen); larger: 409, as the real agent */
  maxSize: { width: number; height: number };
  /** what GET /metrics answers (dashboard tokens only); null: 404, as agents of earlier builds */
  metrics: AgentMetrics | null;
  /** every WS /relay it accepted (dashboard relays), in order */
  relays: FakeRelayUpstream[];
  /** true: no WS /relay (404), as agents before the relay tier */
  relayMissing: boolean;
  /** set: every relayed `join` is answered with this `close` (a kicked or revoked token, a full relay) */
  relayRefusal: { code: number; reason: string } | null;
  /**
   * true: every relayed viewer is ended (`close` 1000) right after it is admitted, so a relayed
   * HTTP-FLV response ends as the stand-in's own /stream.flv does (inject waits for a response's end)
   */
  relayEndsAfterAdmit: boolean;
  close(): Promise<void>;
}

/**
 * A stand-in room agent speaking the agent's HTTP contract closely enough for the dashboard's route
 * tests: token checks with the real public key, /state, /control/*, FLV and WS echoes.
 */
export async function startFakeAgent(publicKeyPem: string, roomId: string): Promise<FakeAgent> {
  const key = await importSPKI(publicKeyPem, 'EdDSA');
  // as the real agent: headers the edge accepted and forwards always fit
  const app = Fastify({ http: { maxHeaderSize: 32 * 1024 } });
  await app.register(fastifyWebsocket);
  const seen: FakeAgent['seen'] = [];
  const sockets = new Map<string, WebSocket>();
  const agent: FakeAgent = {
    app,
    url: '',
    seen,
    sockets,
    resets: [],
    recordings: [],
    settings: [],
    live: undefined,
    failSettings: 0,
    takesTimeouts: true,
    settingsDelayMs: 0,
    filesAnswer: JSON.stringify({ files: [] }),
    maxSize: { width: 3840, height: 2160 },
    metrics: null,
    relays: [],
    relayMissing: false,
    relayRefusal: null,
    relayEndsAfterAdmit: false,
    viewers: 2,
    protocol: AGENT_PROTOCOL_VERSION,
    participants: [],
    control: { seq: 0, holder: null, queue: [], locked: false },
    close: () => app.close(),
  };

  app.addHook('onRequest', async (req) => {
    seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization });
  });

  const claims = async (req: FastifyRequest): Promise<TokenClaims | null> => {
    const q = req.query as { token?: string };
    const bearer = req.headers.authorization?.replace(/^Bearer /, '') ?? q.token;
    if (!bearer) return null;
    try {
      const { payload } = await jwtVerify(bearer, key, { issuer: 'boxroom' });
      return payload.room === roomId ? (payload as unknown as TokenClaims) : null;
    } catch {
      return null;
    }
  };

  app.get('/healthz', async () => ({ status: 'ok', room: roomId, protocol: agent.protocol }));
  app.get('/state', async (req, reply) => {
    if (!(await claims(req)))
      return reply.status(401).send({ error: { code: 'unauthorized', message: 'bad token' } });
    return {
      control: agent.control,
      participants: agent.participants,
      viewers: agent.viewers,
      expired: null,
      controlChanges: [],
      ...(agent.live ? { settings: agent.live } : {}),
    };
  });
  app.get('/metrics', async (req, reply) => {
    const c = await claims(req);
    if (!c) return reply.status(401).send({ error: { code: 'unauthorized', message: 'bad token' } });
    if (c.aud !== AGENT_AUDIENCE)
      return reply.status(403).send({ error: { code: 'forbidden', message: 'dashboard only' } });
    if (!agent.metrics)
      return reply.status(404).send({ error: { code: 'not_found', message: 'no such endpoint' } });
    return agent.metrics;
  });
  app.post<{ Params: { action: string }; Body: { participantId?: string } }>(
    '/control/:action',
    async (req, reply) => {
      const c = await claims(req);
      if (!c) return reply.status(401).send({ error: { code: 'unauthorized', message: 'bad token' } });
      if (req.params.action === 'take' && c.role === 'participant') {
        return reply
          .status(403)
          .send({ error: { code: 'forbidden', message: 'participants cannot take control' } });
      }
      if (req.params.action === 'give' && c.role === 'participant' && agent.control.holder?.id !== c.sub) {
        return reply
          .status(403)
          .send({ error: { code: 'forbidden', message: 'only the holder can give control' } });
      }
      if (req.params.action === 'give' && req.body?.participantId === undefined) {
        return reply
          .status(409)
          .send({ error: { code: 'conflict', message: 'nobody is waiting for control' } });
      }
      if (req.params.action === 'give' && req.body?.participantId === 'nobody') {
        return reply
          .status(404)
          .send({ error: { code: 'not_found', message: 'that participant is not in the room' } });
      }
      const who = { id: c.sub, name: c.name, role: c.role };
      const holder =
        req.params.action === 'give'
          ? { id: req.body.participantId ?? '', name: 'x', role: 'participant' as const }
          : who;
      agent.control = {
        seq: agent.control.seq + 1,
        holder: ['release', 'reset'].includes(req.params.action) ? null : holder,
        queue: [],
        locked: req.params.action === 'lock',
      };
      return agent.control;
    },
  );
  // As the real agent: owners and operators, or the dashboard's own agent-audience token.
  app.post('/desktop/reset', async (req, reply) => {
    const c = await claims(req);
    if (!c) return reply.status(401).send({ error: { code: 'unauthorized', message: 'bad token' } });
    if (c.aud !== 'boxroom-agent' && c.role !== 'owner' && c.role !== 'operator')
      return reply.status(403).send({ error: { code: 'forbidden', message: 'owners and operators only' } });
    agent.resets.push(c);
    return reply.status(202).send({ accepted: true }); // as the real agent
  });
  app.post<{ Body: { recordingId: string | null } }>('/recording', async (req, reply) => {
    const c = await claims(req);
    if (c?.aud !== 'boxroom-agent')
      return reply.status(403).send({ error: { code: 'forbidden', message: 'dashboard only' } });
    agent.recordings.push(req.body.recordingId);
    return reply.status(204).send();
  });

  // As the real agent: the dashboard's own token only; a size beyond its screen is refused.
  app.post<{ Body: unknown }>('/settings', async (req, reply) => {
    const c = await claims(req);
    if (!c) return reply.status(401).send({ error: { code: 'unauthorized', message: 'bad token' } });
    if (c.aud !== 'boxroom-agent')
      return reply.status(403).send({ error: { code: 'forbidden', message: 'the dashboard only' } });
    if (!Value.Check(AgentLiveSettings, req.body) || (!agent.takesTimeouts && 'timeouts' in req.body))
      return reply.status(400).send({ error: { code: 'bad_request', message: 'not AgentLiveSettings' } });
    if (agent.settingsDelayMs > 0) await new Promise((r) => setTimeout(r, agent.settingsDelayMs));
    if (agent.failSettings > 0) {
      agent.failSettings--;
      return reply.status(503).send({ error: { code: 'unavailable', message: 'restarting' } });
    }
    const next = req.body;
    if (next.width > agent.maxSize.width || next.height > agent.maxSize.height)
      return reply.status(409).send({ error: { code: 'conflict', message: 'does not fit the screen' } });
    agent.settings.push(next);
    agent.live = next;
    return next;
  });
  app.get('/files', async (req, reply) => {
    const c = await claims(req);
    if (c?.aud !== 'boxroom-agent')
      return reply.status(403).send({ error: { code: 'forbidden', message: 'the dashboard only' } });
    return reply.type('application/json').send(agent.filesAnswer);
  });
  app.get('/stream.flv', async (req, reply) => {
    if (!(await claims(req)))
      return reply.status(401).send({ error: { code: 'unauthorized', message: 'bad token' } });
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'video/x-flv' });
    const tag = Buffer.alloc(11 + 5 + 4);
    tag[0] = 9;
    tag.writeUIntBE(5, 1, 3);
    reply.raw.end(Buffer.concat([Buffer.from('FLV\x01\x05\x00\x00\x00\x09\x00\x00\x00\x00', 'latin1'), tag]));
  });
  app.get('/snapshot.jpg', async (req, reply) => {
    if (!(await claims(req)))
      return reply.status(401).send({ error: { code: 'unauthorized', message: 'bad token' } });
    return reply.type('image/jpeg').send(Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
  });
  fakeRelayRoute(
    app,
    (token) => claims({ query: { token }, headers: {} } as FastifyRequest),
    agent.relays,
    () => agent.relayMissing,
    () => agent.relayRefusal,
    () => agent.relayEndsAfterAdmit,
  );
  for (const path of ['stream', 'input', 'session']) {
    app.get(`/${path}`, { websocket: true }, async (socket, req) => {
      // Hold messages that arrive while the token is checked: a listener attached after an await misses them.
      const early: Array<[Buffer, boolean]> = [];
      const hold = (data: Buffer, isBinary: boolean) => early.push([data, isBinary]);
      socket.on('message', hold);
      const c = await claims(req);
      socket.off('message', hold);
      if (!c) {
        socket.close(4401, 'invalid token');
        return;
      }
      if (path === 'input' && c.role === 'viewer') {
        socket.close(4403, 'you are not in control');
        return;
      }
      sockets.set(path, socket);
      if (path === 'session') socket.send(JSON.stringify({ type: 'hello', protocol: socket.protocol }));
      // Echo, keeping the frame type: binary stays binary, text stays text.
      const echo = (data: Buffer, isBinary: boolean) => {
        if (!isBinary && data.toString() === 'close-4409')
          socket.close(4409, 'control passed to someone else');
        else socket.send(data, { binary: isBinary });
      };
      socket.on('message', echo);
      for (const [data, isBinary] of early) echo(data, isBinary);
    });
  }
  agent.url = await app.listen({ port: 0, host: '127.0.0.1' });
  return agent;
}
