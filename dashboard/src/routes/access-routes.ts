import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  EndedRoomJoinResult,
  JoinBody,
  JoinResult,
  RenewResult,
  RoomLinks,
  ViewerToken,
} from '@boxroom/contracts';
import { Type } from 'typebox';
import { InviteParams, KickParams, RoomIdParams, errorResponses } from '../api/schemas.js';
import type { onRequestHookHandler } from 'fastify';
import type { JoinService } from '../rooms/join-service.js';
import type { ParticipantRights } from '../rooms/participant-rights.js';
import { noContent, publicRoute } from './route-options.js';

/** Joining with an invite, renewing tokens, revoking invites, removing participants. */
export const accessRoutes: FastifyPluginAsyncTypebox<{
  access: JoinService;
  rights: ParticipantRights;
  joinLimit?: onRequestHookHandler;
}> = async (app, { access, rights, joinLimit }) => {
  app.post(
    '/api/rooms/:id/join',
    publicRoute(
      {
        summary: 'Exchange an invite secret and a display name for a participant token',
        description:
          "After the room ended, an invite that was valid for it gets `EndedRoomJoinResult` (`ended: true`): a token for the room's recordings only",
        tags: ['access'],
        params: RoomIdParams,
        body: JoinBody,
        response: {
          200: Type.Union([JoinResult, EndedRoomJoinResult]),
          ...errorResponses(400, 401, 404, 409, 429),
        },
      },
      joinLimit,
    ),
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

  app.post(
    '/api/rooms/:id/token',
    {
      schema: {
        summary: 'Renew a participant token: the same participant (id, role, name), a later expiry',
        description:
          'Send the current, still valid participant token as the bearer. Refused for removed ' +
          "participants, for tokens issued before their role's invite was revoked, and for the admin token.",
        tags: ['access'],
        params: RoomIdParams,
        response: { 200: RenewResult, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => rights.renew(req.principal, req.params.id),
  );

  app.post(
    '/api/rooms/:id/viewer-token',
    {
      schema: {
        summary:
          "A short-lived viewer token for the room's thumbnail and stream (admin, operator, its creator)",
        description:
          'For accounts that may watch the room anyway: no invite, no join. 403 for room tokens and ' +
          'for creators of other rooms; 409 while the room is stopping or failed.',
        tags: ['access'],
        params: RoomIdParams,
        response: { 200: ViewerToken, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => access.viewerToken(req.principal, req.params.id),
  );

  app.post(
    '/api/rooms/:id/participants/:participantId/kick',
    {
      schema: {
        summary: 'Remove a participant (operator, owner): their tokens are refused, their sockets close',
        tags: ['access'],
        params: KickParams,
        response: { 204: noContent('removed'), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      await rights.kick(req.principal, req.params.id, req.params.participantId);
      return reply.status(204).send(null);
    },
  );
};
