import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AccountId, QuotaLimitsPatch, QuotaReport } from '@boxroom/contracts';
import { Type } from 'typebox';
import { errorResponses } from '../api/schemas.js';
import type { QuotaService } from '../quotas/quota-service.js';

const AccountParams = Type.Object({ id: AccountId });

/** Per-creator quotas: decode, call the QuotaService, encode. */
export const quotaRoutes: FastifyPluginAsyncTypebox<{ quotas: QuotaService }> = async (app, { quotas }) => {
  app.get(
    '/api/quota',
    {
      schema: {
        summary: "The caller's own quota: limits (null: none; admins and operators have none) and usage",
        tags: ['quotas'],
        response: { 200: QuotaReport, ...errorResponses(401, 403) },
      },
    },
    async (req) => quotas.own(req.principal),
  );

  app.get(
    '/api/accounts/:id/quota',
    {
      schema: {
        summary: "An account's quota: limits and usage (admins)",
        tags: ['quotas'],
        params: AccountParams,
        response: { 200: QuotaReport, ...errorResponses(400, 401, 403) },
      },
    },
    async (req) => quotas.of(req.principal, req.params.id),
  );

  app.put(
    '/api/accounts/:id/quota',
    {
      schema: {
        summary:
          "Set an account's own limits (admins): a limit absent keeps the account's value, null lifts it",
        tags: ['quotas'],
        params: AccountParams,
        body: QuotaLimitsPatch,
        response: { 200: QuotaReport, ...errorResponses(400, 401, 403) },
      },
    },
    async (req) => quotas.set(req.principal, req.params.id, req.body),
  );
};
