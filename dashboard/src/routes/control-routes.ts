import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ControlState, GiveBody } from '@boxroom/contracts';
import { ControlParams, RoomIdParams, errorResponses } from '../api/schemas.js';
import type { ControlService } from '../rooms/control-service.js';

/** The control lease through the API; the room agent decides. */
export const controlRoutes: FastifyPluginAsyncTypebox<{ control: ControlService }> = async (
  app,
  { control },
) => {
  app.post(
    '/api/rooms/:id/control/give',
    {
      schema: {
        summary: 'Give control to a participant (operator, owner)',
        tags: ['control'],
        params: RoomIdParams,
        body: GiveBody,
        response: { 200: ControlState, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req) => control.give(req.principal, req.params.id, req.body),
  );

  app.post(
    '/api/rooms/:id/control/:action',
    {
      schema: {
        summary: 'request | release (participants); take | reset | lock | unlock (operator, owner)',
        tags: ['control'],
        params: ControlParams,
        response: { 200: ControlState, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req) => control.act(req.principal, req.params.id, req.params.action),
  );
};
