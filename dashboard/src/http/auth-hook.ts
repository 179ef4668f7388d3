import type { FastifyInstance } from 'fastify';
import { CSRF_HEADER, SESSION_COOKIE, cookieValue, type OperatorSessions } from '../auth/operator-session.js';
import { OPERATOR, principalOfAccount, type Principal, type PrincipalResolver } from '../auth/principal.js';
import { errors } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** the caller, from `Authorization: Bearer`; null when there is none */
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** true: the route works without a bearer (it authenticates some other way, e.g. an invite) */
    public?: boolean;
  }
}

/**
 * Authenticate before validation: a protected route answers 401 to a caller without a valid
 * bearer, whatever the body. Authorization (the abilities) is the managers' business.
 */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A bearer (API clients, room pages) wins; without one, the operator's session cookie (the
 * dashboard page), which on state-changing methods also needs its CSRF token.
 */
export function installAuthHook(
  app: FastifyInstance,
  resolver: PrincipalResolver,
  sessions?: OperatorSessions,
): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (req) => {
    req.principal = await resolver.resolve(req.headers.authorization);
    if (!req.principal && sessions) {
      const session = sessions.verify(cookieValue(req.headers.cookie, SESSION_COOKIE));
      if (session) {
        if (!SAFE_METHODS.has(req.method) && !sessions.csrfOk(session, req.headers[CSRF_HEADER])) {
          throw errors.forbidden(`missing or wrong CSRF token (${CSRF_HEADER})`);
        }
        // the admin token's session acts as the break-glass admin; an OIDC one as its account
        req.principal = session.account ? principalOfAccount(session.account) : OPERATOR;
      }
    }
    if (!req.principal && !req.routeOptions.config.public) throw errors.unauthorized();
  });
}
