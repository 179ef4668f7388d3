import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DesktopResetResult } from '@boxroom/contracts';
import { RoomIdParams, errorResponses } from '../api/schemas.js';
import type { DesktopService } from '../rooms/desktop-service.js';

/** Commands on a room's desktop; the room agent carries them out. */
export const desktopRoutes: FastifyPluginAsyncTypebox<{ desktop: DesktopService }> = async (
  app,
  { desktop },
) => {
  app.post(
    '/api/rooms/:id/desktop/reset',
    {
      schema: {
        summary:
          "Reset the room's desktop (operator, owner): end every process of the desktop user, start the app afresh",
        description:
          'The remedy for a program a former controller left running (it can still type and click). Viewers and the control lease are untouched. 202: the agent has begun; the room keeps streaming.',
        tags: ['desktop'],
        params: RoomIdParams,
        response: { 202: DesktopResetResult, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req, reply) => reply.status(202).send(await desktop.reset(req.principal, req.params.id)),
  );
};
