import type { Browser } from 'playwright-core';
import { launchChromium } from './browser.js';
import { DashboardProcess, buildWeb } from './dashboard-process.js';

/**
 * What an end-to-end test of the room page needs: a dashboard with the local driver (rooms as
 * processes on this host, so the test can reach their X display) serving the built web bundle, and
 * Debian's Chromium. `close` ends both; the dashboard's teardown deletes every room it made.
 */
export interface LocalRoomBrowser {
  dash: DashboardProcess;
  browser: Browser;
  close(): Promise<void>;
}

export async function startLocalRoomBrowser(): Promise<LocalRoomBrowser> {
  buildWeb();
  const dash = await DashboardProcess.start({
    driver: 'local',
    env: { BOXROOM_LOG_LEVEL: process.env.BOXROOM_E2E_LOG_LEVEL ?? 'warn' },
  });
  const browser = await launchChromium().catch(async (err: unknown) => {
    await dash.teardown();
    throw err;
  });
  return {
    dash,
    browser,
    close: async () => {
      await browser.close().catch(() => {});
      await dash.teardown();
    },
  };
}
