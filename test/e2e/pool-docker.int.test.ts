import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardProcess } from '../support/dashboard-process.js';
import { endDockerDashboard, instanceLeftovers, startDockerDashboard } from '../support/docker-instance.js';
import { poolCases, runtimePooled, waitPooledReady } from './pool-suite.js';

/** The warm pool on the docker driver (real engine, the room image): BOXROOM_POOL unset is 1 terminal room. */
const INSTANCE = `it-pool-${process.pid}`;

describe('warm pool, docker driver (dashboard process)', () => {
  let dash: DashboardProcess;

  beforeAll(async () => {
    // the docker driver's default: one terminal room (DashboardProcess sets 0 for every other test)
    dash = await startDockerDashboard(INSTANCE, { BOXROOM_POOL: 'terminal=1' });
  }, 900_000);

  afterAll(async () => {
    await endDockerDashboard(dash, INSTANCE);
  }, 60_000);

  poolCases(() => ({ dash, driver: 'docker', instance: INSTANCE }));

  it('deletes its waiting containers when the dashboard stops', async () => {
    expect(await waitPooledReady(dash, 'docker', INSTANCE)).toBeTruthy();
    await dash.stop();
    expect(await runtimePooled(dash, 'docker', INSTANCE)).toEqual([]);
    expect(await instanceLeftovers(INSTANCE, 'ps')).toEqual([]);
  }, 120_000);
});
