import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { noContent } from './route-options.js';
import { CreateRoomBody, PatchRoomBody, Room, RoomGetQuery, RoomList } from '@boxroom/contracts';
import { RoomIdParams, errorResponses } from '../api/schemas.js';
import type { RoomManager } from '../rooms/room-manager.js';
import type { onRequestHookHandler } from 'fastify';

/** Rooms: decode, call the RoomManager, encode. */
export const roomRoutes: FastifyPluginAsyncTypebox<{
  rooms: RoomManager;
  createLimit?: onRequestHookHandler;
}> = async (app, { rooms, createLimit }) => {
  // held `?wait=` requests: a closing dashboard answers them at once (its server waits for every open
  // request before the app's onClose hooks run, so a hold would delay the shutdown by up to its wait)
  const holds = new Set<AbortController>();
  app.addHook('preClose', async () => {
    for (const hold of holds) hold.abort();
  });

  app.post(
    '/api/rooms',
    {
      schema: {
        summary: 'Create a room (operator)',
        tags: ['rooms'],
        body: CreateRoomBody,
        response: { 201: Room, ...errorResponses(400, 401, 403, 409, 429, 503) },
      },
      onRequest: createLimit ? [createLimit] : [],
      // A bodyless POST means "all defaults".
      preValidation: async (req) => {
        req.body ??= {};
      },
    },
    async (req, reply) => reply.status(201).send(await rooms.create(req.principal, req.body)),
  );

  app.get(
    '/api/rooms',
    {
      schema: {
        summary: 'List rooms the caller may see, with viewer counts and the current controller',
        tags: ['rooms'],
        response: { 200: RoomList, ...errorResponses(401) },
      },
    },
    async (req) => {
      const list = await rooms.list(req.principal);
      return list.some((r) => r.stale) ? { rooms: list, stale: true } : { rooms: list };
    },
  );

  app.get(
    '/api/rooms/:id',
    {
      schema: {
        summary: 'One room; `?wait=<ms>` holds the answer while it is starting, until its status moves',
        tags: ['rooms'],
        params: RoomIdParams,
        querystring: RoomGetQuery,
        response: { 200: Room, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const ms = req.query.wait ?? 0;
      if (ms === 0) return rooms.get(req.principal, req.params.id);
      // a caller that goes ends its hold (its socket closes; keep-alive sockets stay for the next request)
      const gone = new AbortController();
      const onClose = () => gone.abort();
      req.raw.socket.once('close', onClose);
      if (req.raw.socket.destroyed) gone.abort(); // gone before the handler ran: no 'close' to come
      holds.add(gone);
      try {
        return await rooms.get(req.principal, req.params.id, { ms, signal: gone.signal });
      } finally {
        holds.delete(gone);
        req.raw.socket.off('close', onClose);
      }
    },
  );

  app.patch(
    '/api/rooms/:id',
    {
      schema: {
        summary:
          'Change a running room: its size (the desktop, the stream and every overlay follow) or its clipboard policy (operator, owner)',
        tags: ['rooms'],
        params: RoomIdParams,
        body: PatchRoomBody,
        response: { 200: Room, ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (req) => rooms.patch(req.principal, req.params.id, req.body),
  );

  app.delete(
    '/api/rooms/:id',
    {
      schema: {
        summary: 'Delete a room and free its resources (operator, owner)',
        tags: ['rooms'],
        params: RoomIdParams,
        response: { 204: noContent('deleted'), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      await rooms.delete(req.principal, req.params.id);
      return reply.status(204).send(null);
    },
  );
};
