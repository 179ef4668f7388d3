import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DashboardProcess } from '../../../test/support/dashboard-process.js';

/**
 * The bundle `npm start` runs is one file (it starts in a fraction of the time node_modules took to
 * load): what its dependencies read from their own directories must still be found.
 */
describe('the dashboard bundle', () => {
  let dash: DashboardProcess;
  beforeAll(async () => {
    dash = await DashboardProcess.start({ driver: 'local' });
  }, 30_000);
  afterAll(async () => {
    await dash?.dispose({ killRooms: true });
  });

  it('serves the API browser and its files', async () => {
    for (const path of ['/docs/', '/docs/static/swagger-ui.css', '/docs/static/logo.svg', '/openapi.json']) {
      const res = await fetch(`${dash.url}${path}`);
      expect(res.status, path).toBe(200);
      await res.arrayBuffer();
    }
  });
});
