import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { RoomTemplate, TemplateDefinition, TemplateList } from '@boxroom/contracts';
import { TemplateIdParams, errorResponses } from '../api/schemas.js';
import type { TemplateService } from '../templates/template-service.js';
import { noContent } from './route-options.js';

/** Room templates: decode, call the TemplateService, encode. */
export const templateRoutes: FastifyPluginAsyncTypebox<{ templates: TemplateService }> = async (
  app,
  { templates },
) => {
  app.get(
    '/api/templates',
    {
      schema: {
        summary: 'The room templates a create may name (whoever may create rooms)',
        tags: ['templates'],
        response: { 200: TemplateList, ...errorResponses(401, 403) },
      },
    },
    async (req) => templates.list(req.principal),
  );

  app.get(
    '/api/templates/:id',
    {
      schema: {
        summary: 'One room template',
        tags: ['templates'],
        params: TemplateIdParams,
        response: { 200: RoomTemplate, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => templates.get(req.principal, req.params.id),
  );

  app.post(
    '/api/templates',
    {
      schema: {
        summary: 'Add a room template (operator); its id must be new',
        tags: ['templates'],
        body: TemplateDefinition,
        response: { 201: RoomTemplate, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (req, reply) => reply.status(201).send(await templates.add(req.principal, req.body)),
  );

  app.delete(
    '/api/templates/:id',
    {
      schema: {
        summary:
          'Delete a room template made through the API (operator); rooms made from it keep running as they are',
        tags: ['templates'],
        params: TemplateIdParams,
        response: { 204: noContent('deleted'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      await templates.remove(req.principal, req.params.id);
      return reply.status(204).send(null);
    },
  );
};
