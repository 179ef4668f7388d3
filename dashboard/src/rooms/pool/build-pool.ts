import { Gauge, type Registry } from 'prom-client';
import type { RoomTemplate } from '@boxroom/contracts';
import type { DashboardConfig } from '../../config.js';
import type { Logger } from '../../logger.js';
import { newRoomId } from '../ids.js';
import { NO_TIMEOUTS, type RoomRecord } from '../room-driver.js';
import { resolveCreate } from '../template-resolution.js';
import { parsePoolTargets } from '../../pool-settings.js';
import type { PooledDriver } from './pooled-driver.js';
import { RoomPool } from './room-pool.js';

export interface BuildPoolOptions {
  config: Partial<Pick<DashboardConfig, 'pool' | 'recordings' | 'roomTimeouts' | 'localRoomOrphanS'>>;
  driver: PooledDriver;
  templates: { find(id: string): RoomTemplate | null };
  /** tells a pooled room's agent the dashboard is alive (RoomManager.observe) */
  keepAlive: (record: RoomRecord) => Promise<unknown>;
  metrics: { registry: Registry };
  log: Logger;
}

/** Local agents stop after BOXROOM_LOCAL_ROOM_ORPHAN_S without hearing from us: each is asked 4 times as often. */
export function keepAliveMsOf(config: Partial<Pick<DashboardConfig, 'localRoomOrphanS'>>): number {
  return (config.localRoomOrphanS ?? 0) * 250;
}

/**
 * The warm pool of the app (composition root's part): the targets from BOXROOM_POOL, a template's
 * pooled rooms made as a create with an empty body would make them, `boxroom_pool_rooms` counting
 * the rooms waiting. With every target 0 it still runs once: pooled rooms of an earlier run go.
 */
export function buildPool(o: BuildPoolOptions): RoomPool {
  const { config } = o;
  const log = o.log.child({ mod: 'pool' });
  // null (BOXROOM_POOL unset): the driver's default; absent (a config built by hand, tests): none
  const targets =
    config.pool === undefined ? new Map<string, number>() : parsePoolTargets(config.pool, o.driver.kind);
  const defaults = {
    record: config.recordings?.defaultPolicy ?? 'manual',
    timeouts: config.roomTimeouts ?? NO_TIMEOUTS,
  } as const;
  const pool = new RoomPool({
    driver: o.driver,
    targets,
    defaults: (id) => {
      const template = o.templates.find(id);
      if (!template) return null;
      try {
        return resolveCreate({}, template, defaults);
      } catch {
        return null;
      }
    },
    newId: newRoomId,
    keepAlive: o.keepAlive,
    keepAliveMs: keepAliveMsOf(config),
    log,
  });
  new Gauge({
    name: 'boxroom_pool_rooms',
    help: 'rooms waiting in the warm pool, nobody took them yet (state: ready to take, or starting)',
    labelNames: ['state'],
    registers: [o.metrics.registry],
    collect() {
      const { ready, starting } = pool.size();
      this.set({ state: 'ready' }, ready);
      this.set({ state: 'starting' }, starting);
    },
  });
  if (targets.size > 0) log.info({ targets: Object.fromEntries(targets) }, 'warm pool');
  return pool;
}
