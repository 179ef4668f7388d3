import { channel } from 'node:diagnostics_channel';
import Fastify, { type FastifyInstance } from 'fastify';
import type { RouteContract } from '../../../test/support/contract-check.js';
import { contractOf } from './route-contract.js';
import { buildTestApp } from './test-app.js';

/** Finds the route a request to a real dashboard reached. */
export type RouteResolver = (method: string, path: string) => Promise<RouteContract | null>;

let resolver: Promise<RouteResolver> | null = null;

/**
 * The routes of a dashboard process, taken from the same app built in this process: fastify announces
 * every instance it creates on the `fastify.initialization` diagnostics channel, where an `onRoute`
 * hook sees each route as it is declared. A stub router with those patterns then matches a request
 * path exactly as fastify's router does.
 */
export function dashboardRoutes(): Promise<RouteResolver> {
  resolver ??= buildResolver();
  return resolver;
}

async function buildResolver(): Promise<RouteResolver> {
  const byApp = new Map<object, RouteContract[]>();
  const init = channel('fastify.initialization');
  const watch = (message: unknown) => {
    const { fastify } = message as { fastify: FastifyInstance };
    const routes: RouteContract[] = [];
    byApp.set(fastify, routes);
    fastify.addHook('onRoute', (r) => {
      const c = contractOf(r);
      if (c) routes.push(c);
    });
  };
  init.subscribe(watch);
  let routes: RouteContract[];
  try {
    const t = await buildTestApp({ webDir: null });
    routes = byApp.get(t.app) ?? [];
    await t.close();
  } finally {
    init.unsubscribe(watch);
  }
  if (routes.length === 0) throw new Error('no dashboard routes seen on fastify.initialization');
  const stub = Fastify({ exposeHeadRoutes: false });
  routes.forEach((r, i) => {
    stub.route({ method: r.method.split(','), url: r.url, handler: async () => ({ i }) });
  });
  await stub.ready();
  return async (method, path) => {
    const res = await stub.inject({ method: method as 'GET', url: path });
    return res.statusCode === 200 ? (routes[(res.json() as { i: number }).i] ?? null) : null;
  };
}
