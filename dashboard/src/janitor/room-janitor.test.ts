import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { RoomRecord } from '../rooms/room-driver.js';
import { dashboardAnswers, onJanitorStop } from './room-janitor.js';

const log = pino({ level: 'silent' });

function room(id: string): RoomRecord {
  return {
    spec: { id, name: id, width: 640, height: 360, fps: 15, app: 'terminal', createdAt: 0, ownerId: null },
    status: 'ready',
    agentUrl: null,
  };
}

function fakeDriver(ids: string[], failing: string[] = []) {
  const deleted: string[] = [];
  return {
    deleted,
    list: async () => ids.map(room),
    delete: async (id: string) => {
      if (failing.includes(id)) throw new Error('engine said no');
      deleted.push(id);
    },
  };
}

describe('onJanitorStop', () => {
  it('keeps every room while the dashboard answers (the janitor alone is recreated)', async () => {
    const driver = fakeDriver(['a', 'b']);
    const outcome = await onJanitorStop({
      driver,
      dashboardUp: async () => true,
      log,
      waitForDashboardMs: 0,
    });
    expect(outcome).toEqual({ kind: 'kept' });
    expect(driver.deleted).toEqual([]);
  });

  it('keeps rooms when the dashboard answers again within the wait (a whole-project restart)', async () => {
    const driver = fakeDriver(['a']);
    let probes = 0;
    const outcome = await onJanitorStop({
      driver,
      dashboardUp: async () => ++probes >= 3,
      log,
      waitForDashboardMs: 1_000,
      pollMs: 5,
    });
    expect(outcome).toEqual({ kind: 'kept' });
    expect(driver.deleted).toEqual([]);
  });

  it('removes every room once the dashboard is gone for the whole wait (down)', async () => {
    const driver = fakeDriver(['a', 'b', 'c']);
    const t0 = Date.now();
    const outcome = await onJanitorStop({
      driver,
      dashboardUp: async () => false,
      log,
      waitForDashboardMs: 50,
      pollMs: 5,
    });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(50);
    expect(outcome).toEqual({ kind: 'removed', rooms: 3, failed: 0 });
    expect(driver.deleted.sort()).toEqual(['a', 'b', 'c']);
  });

  it('goes on past a room that cannot be removed, and counts it; a throwing probe is "down"', async () => {
    const driver = fakeDriver(['a', 'b'], ['a']);
    const outcome = await onJanitorStop({
      driver,
      dashboardUp: () => Promise.reject(new Error('boom')),
      log,
      waitForDashboardMs: 0,
    });
    expect(outcome).toEqual({ kind: 'removed', rooms: 2, failed: 1 });
    expect(driver.deleted).toEqual(['b']);
  });
});

describe('dashboardAnswers', () => {
  it('is false when nothing listens', async () => {
    expect(await dashboardAnswers('http://127.0.0.1:1/healthz', 500)).toBe(false);
  });
});
