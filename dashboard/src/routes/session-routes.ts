import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { OperatorSession, SignInBody } from '@boxroom/contracts';
import { errorResponses } from '../api/schemas.js';
import {
  SESSION_COOKIE,
  cookieValue,
  sessionCookie,
  type OperatorSessions,
} from '../auth/operator-session.js';
import { OPERATOR, type PrincipalResolver } from '../auth/principal.js';
import { errors } from '../errors.js';
import type { onRequestHookHandler } from 'fastify';

/** What the page learns of its session: the same after sign-in and on every later look. */
const sessionInfo = (s: { csrf: string; expiresAt: number }): OperatorSession => ({
  role: 'operator' as const,
  csrf: s.csrf,
  expiresAt: new Date(s.expiresAt).toISOString(),
});

/**
 * The dashboard page's sign-in: the admin token is traded once for an HttpOnly cookie, so it is
 * never kept where page scripts (or anything injected into them) can read it. API clients keep
 * using `Authorization: Bearer`.
 */
export const sessionRoutes: FastifyPluginAsyncTypebox<{
  sessions: OperatorSessions;
  resolver: PrincipalResolver;
  signInLimit?: onRequestHookHandler;
}> = async (app, { sessions, resolver, signInLimit }) => {
  app.post(
    '/api/session',
    {
      config: { public: true },
      schema: {
        summary: 'Sign the dashboard page in: admin token for an HttpOnly session cookie',
        tags: ['access'],
        security: [],
        body: SignInBody,
        response: { 200: OperatorSession, ...errorResponses(400, 401, 429) },
      },
      onRequest: signInLimit ? [signInLimit] : [],
    },
    async (req, reply) => {
      const who = await resolver.resolve(`Bearer ${req.body.token}`).catch(() => null);
      if (who !== OPERATOR) throw errors.unauthorized('that is not the admin token');
      const s = sessions.issue();
      const maxAgeS = Math.floor((s.expiresAt - Date.now()) / 1000);
      reply.header('set-cookie', sessionCookie(s.cookie, maxAgeS, req.protocol === 'https'));
      reply.header('cache-control', 'no-store');
      return sessionInfo(s);
    },
  );

  app.get(
    '/api/session',
    {
      config: { public: true },
      schema: {
        summary: "The page's operator session and its CSRF token (401: signed out)",
        tags: ['access'],
        security: [],
        response: { 200: OperatorSession, ...errorResponses(401) },
      },
    },
    async (req, reply) => {
      const s = sessions.verify(cookieValue(req.headers.cookie, SESSION_COOKIE));
      if (!s) throw errors.unauthorized('not signed in');
      reply.header('cache-control', 'no-store');
      return sessionInfo(s);
    },
  );

  app.delete(
    '/api/session',
    {
      config: { public: true },
      schema: {
        summary: 'Sign the page out (clears the cookie)',
        tags: ['access'],
        security: [],
        response: { 204: Type.Null({ description: 'signed out' }) },
      },
    },
    async (req, reply) => {
      reply.header('set-cookie', sessionCookie('', 0, req.protocol === 'https'));
      return reply.status(204).send(null);
    },
  );
};
