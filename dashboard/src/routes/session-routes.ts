import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { OperatorSession, SignInBody } from '@boxroom/contracts';
import { errorResponses } from '../api/schemas.js';
import { ANONYMOUS_ACTOR } from '../audit/audit-actor.js';
import type { AuditLog } from '../audit/audit-log.js';
import {
  SESSION_COOKIE,
  cookieValue,
  sessionCookie,
  type OperatorSessions,
  type VerifiedSession,
} from '../auth/operator-session.js';
import { OPERATOR, type PrincipalResolver } from '../auth/principal.js';
import { errors } from '../errors.js';
import { noContent, publicRoute } from './route-options.js';
import type { onRequestHookHandler } from 'fastify';

/** What the page learns of its session: the same after sign-in and on every later look. */
const sessionInfo = (s: VerifiedSession): OperatorSession => {
  const account = s.account ?? OPERATOR.account!;
  return {
    role: account.role,
    account,
    via: s.account ? 'oidc' : 'admin-token',
    csrf: s.csrf,
    expiresAt: new Date(s.expiresAt).toISOString(),
  };
};

/**
 * The dashboard page's sign-in: the admin token is traded once for an HttpOnly cookie, so it is
 * never kept where page scripts (or anything injected into them) can read it. API clients keep
 * using `Authorization: Bearer`.
 */
export const sessionRoutes: FastifyPluginAsyncTypebox<{
  sessions: OperatorSessions;
  resolver: PrincipalResolver;
  signInLimit?: onRequestHookHandler;
  /** sign-ins (and refused admin tokens) and sign-outs go into the audit trail */
  audit?: Pick<AuditLog, 'record'>;
}> = async (app, { sessions, resolver, signInLimit, audit }) => {
  // an answer about the session carries its CSRF token: never kept by a cache (this plugin's routes only)
  app.addHook('onSend', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
  });

  app.post(
    '/api/session',
    publicRoute(
      {
        summary: 'Sign the dashboard page in: admin token for an HttpOnly session cookie',
        tags: ['access'],
        body: SignInBody,
        response: { 200: OperatorSession, ...errorResponses(400, 401, 429) },
      },
      signInLimit,
    ),
    async (req, reply) => {
      const who = await resolver.resolve(`Bearer ${req.body.token}`).catch(() => null);
      if (who !== OPERATOR) {
        await audit?.record(ANONYMOUS_ACTOR, 'operator.signin', null, 'denied', { via: 'admin-token' });
        throw errors.unauthorized('that is not the admin token');
      }
      const s = sessions.issue();
      await audit?.record(OPERATOR, 'operator.signin', null, 'ok', { via: 'admin-token' });
      const maxAgeS = Math.floor((s.expiresAt - Date.now()) / 1000);
      reply.header('set-cookie', sessionCookie(s.cookie, maxAgeS, req.protocol === 'https'));
      return sessionInfo(s);
    },
  );

  app.get(
    '/api/session',
    publicRoute({
      summary: "The page's operator session and its CSRF token (401: signed out)",
      tags: ['access'],
      response: { 200: OperatorSession, ...errorResponses(401) },
    }),
    async (req) => {
      const s = sessions.verify(cookieValue(req.headers.cookie, SESSION_COOKIE));
      if (!s) throw errors.unauthorized('not signed in');
      return sessionInfo(s);
    },
  );

  app.delete(
    '/api/session',
    publicRoute({
      summary: 'Sign the page out (clears the cookie)',
      tags: ['access'],
      response: { 204: noContent('signed out') },
    }),
    async (req, reply) => {
      const s = sessions.verify(cookieValue(req.headers.cookie, SESSION_COOKIE));
      if (s) await audit?.record(s.account ?? OPERATOR, 'operator.signout', null, 'ok', {});
      reply.header('set-cookie', sessionCookie('', 0, req.protocol === 'https'));
      return reply.status(204).send(null);
    },
  );
};
