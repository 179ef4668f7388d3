import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { TSchema } from 'typebox';
import { checkHttp, type RouteContract } from '../../../test/support/contract-check.js';

/**
 * The dashboard's routes as contracts: what each declares it answers (its `schema.response`, built
 * from @boxroom/contracts). The contract test reads them from the routes themselves, so a route's
 * answers are listed once, in the route.
 */

interface RouteShape {
  method: RouteOptions['method'] | undefined;
  url: string | undefined;
  schema?: { hide?: boolean; response?: unknown } | undefined;
}

export function contractOf(r: RouteShape): RouteContract | null {
  if (!r.url) return null;
  return {
    method: [r.method ?? ''].flat().join(','),
    url: r.url,
    hidden: r.schema?.hide === true,
    response: (r.schema?.response ?? {}) as Record<string, TSchema>,
  };
}

/**
 * Every answer of an in-process app (app.inject, or listening in the test's process) is checked against
 * the route that gave it; `when` picks the requests (default: all).
 */
export function checkAnswers(
  app: FastifyInstance,
  when: (req: FastifyRequest) => boolean = () => true,
): void {
  app.addHook('onSend', async (req, reply, payload) => {
    // streams (files, proxied FLV) are not API answers; strings and buffers are what JSON becomes
    if (!when(req)) return payload;
    if (payload == null || typeof payload === 'string' || Buffer.isBuffer(payload)) {
      const type = reply.getHeader('content-type');
      checkHttp({
        method: req.method,
        path: req.url.split('?')[0]!,
        route: contractOf(req.routeOptions),
        status: reply.statusCode,
        contentType: typeof type === 'string' ? type : undefined,
        body: payload == null ? '' : payload.toString(),
      });
    }
    return payload;
  });
}
