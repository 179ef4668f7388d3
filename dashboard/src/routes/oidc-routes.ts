import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { OidcSignIn } from '@boxroom/contracts';
import type { FastifyReply, onRequestHookHandler } from 'fastify';
import { ANONYMOUS_ACTOR } from '../audit/audit-actor.js';
import type { AuditLog } from '../audit/audit-log.js';
import { FLOW_COOKIE, flowCookie, FLOW_TTL_MS } from '../auth/oidc/flow-cookie.js';
import type { OidcService } from '../auth/oidc/oidc-service.js';
import { cookieValue, sessionCookie, type OperatorSessions } from '../auth/operator-session.js';
import { AppError, errors } from '../errors.js';
import type { Logger } from '../logger.js';
import { publicRoute } from './route-options.js';

/**
 * Operator sign-in with OpenID Connect (auth/oidc): the page asks whether it is on, its button goes
 * to `login`, the provider sends the browser back to `callback`. Both answer redirects and, when the
 * sign-in fails, a small page saying why (a person reads it, not a script).
 */
export const oidcRoutes: FastifyPluginAsyncTypebox<{
  oidc: OidcService | null;
  sessions: OperatorSessions;
  log: Logger;
  signInLimit?: onRequestHookHandler;
  /** the callbacks' own budget at the same rate: a sign-in is one login and one callback */
  callbackLimit?: onRequestHookHandler;
  /** every sign-in, refused and failed ones included, goes into the audit trail */
  audit?: Pick<AuditLog, 'record'>;
}> = async (app, { oidc, sessions, log, signInLimit, callbackLimit, audit }) => {
  app.addHook('onSend', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
  });

  app.get(
    '/api/auth/oidc',
    publicRoute({
      summary: 'Whether the page offers sign-in with OpenID Connect, and with which provider',
      tags: ['access'],
      response: { 200: OidcSignIn },
    }),
    async () => oidc?.info() ?? { enabled: false, name: null, loginUrl: null },
  );

  app.get(
    '/api/auth/oidc/login',
    publicRoute({ summary: 'Redirects to the identity provider (302)', tags: ['access'] }, signInLimit),
    async (req, reply) => {
      if (!oidc) throw errors.notFound('sign-in with OpenID Connect is not configured');
      const secure = req.protocol === 'https';
      try {
        const { location, flowCookie: flow } = await oidc.begin();
        reply.header('set-cookie', flowCookie(flow, FLOW_TTL_MS / 1000, secure));
        return reply.redirect(location, 302);
      } catch (err) {
        return failed(reply, err);
      }
    },
  );

  app.get(
    '/api/auth/oidc/callback',
    // rate-limited like the login (a flow cookie may be replayed with made-up codes), in a budget of
    // its own so that one sign-in does not count twice
    publicRoute(
      {
        summary: "The identity provider's redirect back: signs the page in (302 to the dashboard)",
        tags: ['access'],
      },
      callbackLimit,
    ),
    async (req, reply) => {
      if (!oidc) throw errors.notFound('sign-in with OpenID Connect is not configured');
      const secure = req.protocol === 'https';
      const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '';
      // the flow is used once, whatever happens
      const cleared = flowCookie('', 0, secure);
      const flow = oidc.openFlow(cookieValue(req.headers.cookie, FLOW_COOKIE));
      // nobody's sign-in: refused without a look at the rest, and not worth an audit entry
      if (!flow) {
        reply.header('set-cookie', cleared);
        return failed(
          reply,
          errors.badRequest('this sign-in expired or was not started here: sign in again'),
        );
      }
      try {
        const account = await oidc.finish(query, flow);
        const s = sessions.issue(account);
        await audit?.record(account, 'operator.signin', null, 'ok', { via: 'oidc' });
        const maxAgeS = Math.floor((s.expiresAt - Date.now()) / 1000);
        reply.header('set-cookie', [cleared, sessionCookie(s.cookie, maxAgeS, secure)]);
        return reply.redirect('/', 302);
      } catch (err) {
        const refused = err instanceof AppError && err.status < 500;
        // the provider's own words stay out of the trail: only its OAuth error code, or our reason
        const providerError = (err as { providerError?: string }).providerError;
        await audit?.record(ANONYMOUS_ACTOR, 'operator.signin', null, refused ? 'denied' : 'failed', {
          via: 'oidc',
          reason: providerError
            ? `provider: ${providerError}`
            : err instanceof AppError
              ? err.message
              : 'error',
        });
        reply.header('set-cookie', cleared);
        return failed(reply, err);
      }
    },
  );

  /** A page that says why; the cause of anything but a refusal goes to the log. */
  function failed(reply: FastifyReply, err: unknown) {
    const e = err instanceof AppError ? err : errors.internal(err);
    if (e.status >= 500) log.warn({ err: e.cause ?? e }, 'OpenID Connect sign-in failed');
    else log.info({ reason: e.message, cause: String(e.cause ?? '') }, 'OpenID Connect sign-in refused');
    return reply.status(e.status).type('text/html; charset=utf-8').send(refusedPage(e.message));
  }
};

function refusedPage(message: string): string {
  const esc = message.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>boxroom · sign-in failed</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Sign-in failed</h1><p role="alert" data-testid="signin-error">${esc}</p>
<p><a href="/">Back to the sign-in page</a></p></main></body></html>`;
}
