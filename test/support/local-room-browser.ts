import type { Browser } from 'playwright-core';
import { launchChromium } from './browser.js';
import { DashboardProcess } from './dashboard-process.js';

/**
 * What an end-to-end test of the room page needs: a dashboard with the local driver (rooms as
 * processes on this host, so the test can reach their X display) serving the built web bundle, and
 * a browser (Debian's Chromium unless `launch` says otherwise: launchFirefox). `close` ends both; the
 * dashboard's teardown deletes every room it made.
 */
export interface LocalRoomBrowser<B extends { close(): Promise<void> } = Browser> {
  dash: DashboardProcess;
  browser: B;
  close(): Promise<void>;
}

export async function startLocalRoomBrowser(): Promise<LocalRoomBrowser>;
export async function startLocalRoomBrowser<B extends { close(): Promise<void> }>(
  launch: () => Promise<B>,
): Promise<LocalRoomBrowser<B>>;
export async function startLocalRoomBrowser(
  launch: () => Promise<{ close(): Promise<void> }> = launchChromium,
): Promise<LocalRoomBrowser<{ close(): Promise<void> }>> {
  const dash = await DashboardProcess.start({
    driver: 'local',
    env: { BOXROOM_LOG_LEVEL: process.env.BOXROOM_E2E_LOG_LEVEL ?? 'warn' },
  });
  const browser = await launch().catch(async (err: unknown) => {
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
