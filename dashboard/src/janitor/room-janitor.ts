import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logger.js';
import type { RoomDriver } from '../rooms/room-driver.js';

export interface RoomJanitorDeps {
  readonly driver: Pick<RoomDriver, 'list' | 'delete'>;
  /** true while the dashboard of the same deployment answers at all (any HTTP status) */
  readonly dashboardUp: () => Promise<boolean>;
  readonly log: Logger;
  /** how long the dashboard may take to come back (a whole-project restart) before rooms go */
  readonly waitForDashboardMs: number;
  readonly pollMs?: number;
}

export type JanitorOutcome =
  { readonly kind: 'kept' } | { readonly kind: 'removed'; readonly rooms: number; readonly failed: number };

const POLL_MS = 250;

/**
 * What the janitor does when it is told to stop. The deployment (compose) stops the dashboard
 * before the janitor, so a dashboard that still answers, or answers again within the wait, means
 * the janitor alone is going: recreated with a new image by `up -d`, or restarted with everything
 * by `restart`. Then the rooms stay. Otherwise the deployment is going down: every room of the
 * instance is removed, in parallel, so `down` leaves no room container behind.
 */
export async function onJanitorStop(deps: RoomJanitorDeps): Promise<JanitorOutcome> {
  const { driver, log } = deps;
  const deadline = Date.now() + deps.waitForDashboardMs;
  for (;;) {
    if (await deps.dashboardUp().catch(() => false)) {
      log.info('the dashboard still answers: only the janitor stops, rooms stay');
      return { kind: 'kept' };
    }
    if (Date.now() >= deadline) break;
    await sleep(deps.pollMs ?? POLL_MS);
  }
  const rooms = await driver.list();
  log.info({ rooms: rooms.length }, 'the dashboard is gone: removing every room of this deployment');
  const results = await Promise.allSettled(rooms.map((r) => driver.delete(r.spec.id)));
  let failed = 0;
  results.forEach((res, i) => {
    if (res.status === 'fulfilled') return;
    failed += 1;
    log.error({ err: res.reason as unknown, room: rooms[i]!.spec.id }, 'removing a room failed');
  });
  return { kind: 'removed', rooms: rooms.length, failed };
}

/** Any HTTP answer from the dashboard's /healthz counts: a 503 dashboard is still a running one. */
export async function dashboardAnswers(url: string, timeoutMs = 1_000): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return true;
  } catch {
    return false;
  }
}
