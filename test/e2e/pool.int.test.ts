import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DashboardProcess } from '../support/dashboard-process.js';
import { poolCases, runtimePooled, waitPooledReady } from './pool-suite.js';

/** The warm pool on the local driver (real Xvfb, ffmpeg, agent processes): BOXROOM_POOL=1. */
describe('warm pool, local driver (dashboard process)', () => {
  let dash: DashboardProcess;

  beforeAll(async () => {
    dash = await DashboardProcess.start({
      driver: 'local',
      env: { BOXROOM_POOL: '1', BOXROOM_LOG_LEVEL: 'warn' },
    });
  }, 60_000);

  afterAll(async () => {
    await dash?.teardown();
  }, 60_000);

  poolCases(() => ({ dash, driver: 'local', instance: '' }));

  it('deletes its waiting rooms when the dashboard stops', async () => {
    expect(await waitPooledReady(dash, 'local', '')).toBeTruthy();
    await dash.stop();
    expect(await runtimePooled(dash, 'local', '')).toEqual([]);
  }, 120_000);
});
