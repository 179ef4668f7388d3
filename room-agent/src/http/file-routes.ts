import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AGENT_AUDIENCE, isModerator, type TokenClaims } from '@boxroom/contracts';
import { FilesError, RangeNotSatisfiable, type RoomFiles } from '../files/room-files.js';

export interface FileRoutesDeps {
  files: RoomFiles;
  /** a valid token of this room, not kicked or revoked */
  claimsOf(req: FastifyRequest): Promise<TokenClaims>;
  /** who holds control now (participant id), or null */
  holderId(): string | null;
}

/**
 * The room's files folder: GET /files, GET /files/:name (Range), PUT /files/:name (the body is the
 * file). The dashboard's calls only (an agent-audience token naming the caller): it checks the room's
 * policy and the caller's role; the agent checks what only it knows, that a participant uploading
 * holds control, and keeps the file work inside the room (room-files.ts).
 */
export async function fileRoutes(app: FastifyInstance, deps: FileRoutesDeps): Promise<void> {
  const { files } = deps;
  const dashboardCall = async (req: FastifyRequest): Promise<TokenClaims> => {
    const claims = await deps.claimsOf(req);
    if (claims.aud !== AGENT_AUDIENCE)
      throw new FilesError('forbidden', 'files go through the dashboard (/api/rooms/:id/files)');
    return claims;
  };

  // The body is the file, streamed to the worker as it comes: no parser may read it first.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null));

  app.get('/files', async (req) => {
    const claims = await dashboardCall(req);
    if (claims.role === 'viewer') throw new FilesError('forbidden', "viewers may not see the room's files");
    const { files: list, truncated } = await files.list();
    return { files: list, folder: files.folder, ...(truncated ? { truncated } : {}) };
  });

  app.get<{ Params: { name: string } }>('/files/:name', async (req, reply) => {
    const claims = await dashboardCall(req);
    if (claims.role === 'viewer') throw new FilesError('forbidden', 'viewers may not download');
    try {
      const d = await files.download(req.params.name, req.headers.range);
      const { start, end } = d.span ?? { start: 0, end: d.size - 1 };
      void reply
        .status(d.span ? 206 : 200)
        .header('content-type', 'application/octet-stream')
        .header('content-length', String(Math.max(0, end - start + 1)))
        .header('accept-ranges', 'bytes')
        .header('last-modified', new Date(d.modifiedAt).toUTCString());
      if (d.span) void reply.header('content-range', `bytes ${start}-${end}/${d.size}`);
      return reply.send(d.body);
    } catch (err) {
      if (!(err instanceof RangeNotSatisfiable)) throw err;
      return reply
        .status(416)
        .header('content-range', `bytes */${err.size}`)
        .send({ error: { code: err.code, message: err.message } });
    }
  });

  app.put<{ Params: { name: string } }>('/files/:name', async (req, reply) => {
    const claims = await dashboardCall(req);
    if (claims.role === 'viewer' || (!isModerator(claims.role) && deps.holderId() !== claims.sub))
      throw new FilesError('forbidden', 'only the controller, owners and operators may upload');
    const length = req.headers['content-length'];
    // A refusal may come before the whole body did: Node reads and drops the rest after the answer, so
    // the dashboard, still sending, gets the answer and not a reset connection.
    const { result, bytes } = await files.upload(
      req.params.name,
      req.raw,
      length !== undefined && /^\d+$/.test(length) ? Number(length) : null,
    );
    if (result === 'replaced') return reply.status(204).send();
    return reply
      .status(201)
      .send({ name: req.params.name, size: bytes, modifiedAt: new Date().toISOString() });
  });
}
