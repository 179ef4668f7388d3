import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  InviteParams,
  JoinBody,
  JoinResult,
  RoomIdParams,
  RoomLinks,
  errorResponses,
} from '../api/schemas.js';
import type { JoinService } from '../auth/join-service.js';
import type { onRequestHookHandler } from 'fastify';

/** Joining with an invite, and revoking invites. */
export const accessRoutes: FastifyPluginAsyncTypebox<{
  access: JoinService;
  joinLimit?: onRequestHookHandler;
}> = async (app, { access, joinLimit }) => {
  app.post(
    '/api/rooms/:id/join',
    {
      config: { public: true },
      schema: {
        summary: 'Exchange an invite secret and a display name for a participant token',
        tags: ['access'],
        security: [],
        params: RoomIdParams,
        body: JoinBody,
        response: { 200: JoinResult, ...errorResponses(400, 401, 404, 409, 429) },
      },
      onRequest: joinLimit ? [joinLimit] : [],
    },
    async (req) => access.join(req.params.id, req.body),
  );

  app.post(
    '/api/rooms/:id/invites/:role/revoke',
    {
      schema: {
        summary: "Revoke a role's invite link and get the new links (operator, owner)",
        tags: ['access'],
        params: InviteParams,
        response: { 200: RoomLinks, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => access.revoke(req.principal, req.params.id, req.params.role),
  );
};
