import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AuditList, AuditQuery } from '@boxroom/contracts';
import { errorResponses } from '../api/schemas.js';
import type { AuditLog } from '../audit/audit-log.js';

/** The audit trail: decode, call the AuditLog, encode. */
export const auditRoutes: FastifyPluginAsyncTypebox<{ audit: AuditLog }> = async (app, { audit }) => {
  app.get(
    '/api/audit',
    {
      schema: {
        summary: 'The audit trail, oldest first (admins and operators)',
        description:
          'Filters: `room`, `actor` (an account or participant id, or `system`), `action`, `since` (date-time). ' +
          'At most `limit` entries (default 1000); `next`, when present, is the `after` of the next page.',
        tags: ['audit'],
        querystring: AuditQuery,
        response: { 200: AuditList, ...errorResponses(400, 401, 403) },
      },
    },
    async (req) => audit.query(req.principal, req.query),
  );
};
