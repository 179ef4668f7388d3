import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  AccountId,
  AccountList,
  ApiTokenId,
  ApiTokenList,
  CreateApiTokenBody,
  CreatedApiToken,
} from '@boxroom/contracts';
import { errorResponses } from '../api/schemas.js';
import type { AccountService } from '../auth/account-service.js';
import type { ApiTokenService } from '../auth/api-token-service.js';
import { noContent } from './route-options.js';

const TokenParams = Type.Object({ id: ApiTokenId });
const TokenListQuery = Type.Object({
  owner: Type.Optional(AccountId),
  all: Type.Optional(
    Type.Union([Type.Literal('true'), Type.Literal('false')], {
      description: "admin: every account's tokens",
    }),
  ),
});

/** Operator accounts and their personal API tokens: decode, call the services, encode. */
export const accountRoutes: FastifyPluginAsyncTypebox<{
  accounts: AccountService;
  apiTokens: ApiTokenService;
}> = async (app, { accounts, apiTokens }) => {
  app.get(
    '/api/accounts',
    {
      schema: {
        summary: 'The operator accounts, made at their first sign-in (admin)',
        tags: ['accounts'],
        response: { 200: AccountList, ...errorResponses(401, 403) },
      },
    },
    async (req) => ({ accounts: await accounts.list(req.principal) }),
  );

  app.post(
    '/api/tokens',
    {
      schema: {
        summary:
          "A personal API token for the caller's account, acting with its role: the secret is shown this once",
        tags: ['accounts'],
        body: CreateApiTokenBody,
        response: { 201: CreatedApiToken, ...errorResponses(400, 401, 403) },
      },
    },
    async (req, reply) => reply.status(201).send(await apiTokens.create(req.principal, req.body)),
  );

  app.get(
    '/api/tokens',
    {
      schema: {
        summary: "The caller's API tokens; an admin's `owner=<account id>` or `all=true` for others'",
        tags: ['accounts'],
        querystring: TokenListQuery,
        response: { 200: ApiTokenList, ...errorResponses(400, 401, 403) },
      },
    },
    async (req) => ({
      tokens: await apiTokens.list(req.principal, {
        ...(req.query.owner ? { owner: req.query.owner } : {}),
        all: req.query.all === 'true',
      }),
    }),
  );

  app.delete(
    '/api/tokens/:id',
    {
      schema: {
        summary: 'Revoke an API token (its owner, an admin): refused from the next call on, on every replica',
        tags: ['accounts'],
        params: TokenParams,
        response: { 204: noContent('revoked'), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      await apiTokens.revoke(req.principal, req.params.id);
      return reply.status(204).send(null);
    },
  );
};
