import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DashboardHealth, ROOM_STATUSES } from '@boxroom/contracts';
import { series, type Metrics } from '../http/metrics.js';
import type { RoomDriver } from '../rooms/room-driver.js';

export const healthRoutes: FastifyPluginAsyncTypebox<{ driver: RoomDriver; metrics: Metrics }> = async (
  app,
  { driver, metrics },
) => {
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

  app.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics', tags: ['ops'], security: [] } },
    async (_req, reply) => {
      const rooms = await driver.list();
      const extra = Object.fromEntries(
        ROOM_STATUSES.map((s) => [
          series('boxroom_rooms', { status: s }),
          rooms.filter((r) => r.status === s).length,
        ]),
      );
      return reply.type('text/plain; version=0.0.4').send(metrics.render(extra));
    },
  );
};
