import type { FastifyInstance } from 'fastify';
import type { Principal, PrincipalResolver } from '../auth/principal.js';
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
export function installAuthHook(app: FastifyInstance, resolver: PrincipalResolver): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (req) => {
    req.principal = await resolver.resolve(req.headers.authorization);
    if (!req.principal && !req.routeOptions.config.public) throw errors.unauthorized();
  });
}
