import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ProfileList, ProfileName } from '@boxroom/contracts';
import { errorResponses } from '../api/schemas.js';
import type { ProfileService } from '../profiles/profile-service.js';
import { noContent } from './route-options.js';

const ProfileParams = Type.Object({ name: ProfileName });
const ProfileDeleteQuery = Type.Object({
  owner: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 256,
      description: 'operators: whose profile of that name (needed when several owners have one)',
    }),
  ),
});

/** Persistent profiles: decode, call the ProfileService, encode. */
export const profileRoutes: FastifyPluginAsyncTypebox<{ profiles: ProfileService }> = async (
  app,
  { profiles },
) => {
  app.get(
    '/api/profiles',
    {
      schema: {
        summary: "Persistent profiles: an operator sees every owner's, an account its own",
        tags: ['profiles'],
        response: { 200: ProfileList, ...errorResponses(401, 403) },
      },
    },
    async (req) => ({ profiles: await profiles.list(req.principal) }),
  );

  app.delete(
    '/api/profiles/:name',
    {
      schema: {
        summary: 'Delete a profile and its home (operator, its owner); 409 while a room has it',
        tags: ['profiles'],
        params: ProfileParams,
        querystring: ProfileDeleteQuery,
        response: {
          204: noContent('the profile and everything it kept are gone'),
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (req, reply) => {
      await profiles.delete(req.principal, req.params.name, req.query.owner);
      return reply.status(204).send(null);
    },
  );
};
