import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DashboardHealth } from '@boxroom/contracts';
import type { MetricsAuth } from '../auth/metrics-auth.js';
import { errors } from '../errors.js';
import type { Metrics } from '../http/metrics.js';
import type { RoomSeries } from '../metrics/room-series.js';
import type { RoomDriver } from '../rooms/room-driver.js';

export const healthRoutes: FastifyPluginAsyncTypebox<{
  driver: RoomDriver;
  metrics: Metrics;
  roomSeries: RoomSeries;
  metricsAuth: MetricsAuth;
}> = async (app, { driver, metrics, roomSeries, metricsAuth }) => {
  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Liveness of the dashboard',
        tags: ['ops'],
        security: [],
        response: { 200: DashboardHealth },
      },
    },
    async () => {
      // list() first: it is what notices an engine that stopped (or started again) answering
      const rooms = (await driver.list()).length;
      const h = driver.health?.();
      if (!h) return { status: 'ok' as const, driver: driver.kind, rooms };
      const down = h.engine === 'unresponsive';
      return {
        status: down ? ('degraded' as const) : ('ok' as const),
        driver: driver.kind,
        rooms,
        engine: h.engine,
        stale: down,
        ...(h.unresponsiveSince
          ? { engineUnresponsiveSince: new Date(h.unresponsiveSince).toISOString() }
          : {}),
      };
    },
  );

  /** The admin token or BOXROOM_METRICS_TOKEN as a bearer (docs/operations.md, "Metrics"). */
  app.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics (admin token or metrics token)', tags: ['ops'] } },
    async (req, reply) => {
      if (!metricsAuth.allows(req.headers.authorization))
        throw errors.unauthorized('expected "Authorization: Bearer <admin or metrics token>"');
      await roomSeries.refresh();
      return reply.type(metrics.contentType).send(await metrics.render());
    },
  );
};
