import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomFileList } from '@boxroom/contracts';
import { until } from '../support/agent-helpers.js';
import { launchChromium } from '../support/browser.js';
import { DashboardProcess } from '../support/dashboard-process.js';
import { asDesktopUser } from '../support/desktop-user.js';

/**
 * The room page's files in Chromium against a real dashboard and local room: files dropped on the
 * page go up with progress and land in the room's folder; a file the room writes is downloaded from
 * the files panel.
 */

const MIB = 1024 * 1024;
const sha = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex');
/** The file the page drops: bytes i % 251, the same on both sides without sending them to the page. */
const pattern = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 251);

let dash: DashboardProcess | null = null;
let browser: Browser | null = null;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  dash = await DashboardProcess.start({ driver: 'local', env: { BOXROOM_LOG_LEVEL: 'warn' } });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close().catch(() => {});
  await dash?.teardown();
}, 60_000);

async function ownerPage(link: string): Promise<Page> {
  const ctx = await browser!.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.warn(`[page error] ${e.message}`));
  await page.goto(link);
  await page.locator('br-join-form input[name=name]').fill('olga');
  await page.locator('br-join-form button[type=submit]').click();
  await page.locator('br-video-stage').waitFor();
  return page;
}

describe('files on the room page (real dashboard, local room, Chromium)', () => {
  it('drag and drop uploads with progress; the files panel downloads what the room wrote', async () => {
    const created = await dash!.api<{ id: string; links: Record<'owner', string> }>('POST', '/api/rooms', {
      width: 640,
      height: 360,
      fps: 10,
    });
    const { id, links } = created.body;
    await until(
      async () => (await dash!.api<{ status: string }>('GET', `/api/rooms/${id}`)).body.status === 'ready',
      90_000,
      'the room to be ready',
    );
    const page = await ownerPage(links.owner);
    const panel = page.locator('br-files-panel [data-testid=files]');
    await panel.waitFor({ timeout: 15_000 });
    const { folder } = (await dash!.api<RoomFileList>('GET', `/api/rooms/${id}/files`)).body;
    await expect.poll(() => page.locator('[data-testid=files-folder]').textContent()).toBe(folder);

    // uploads at 2 MiB/s (Chromium's network emulation), so the progress bar has time to move
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 2 * MIB,
    });
    const size = 4 * MIB;
    // what the progress bar shows, every 50 ms, and the drop itself: a File in a DataTransfer
    await page.evaluate((n) => {
      const seen: number[] = [];
      (window as unknown as { progressSeen: number[] }).progressSeen = seen;
      setInterval(() => {
        const bar = document
          .querySelector('br-room-page')
          ?.shadowRoot?.querySelector('br-files-panel')
          ?.shadowRoot?.querySelector('progress');
        if (bar) seen.push(bar.value / bar.max);
      }, 50);
      const dt = new DataTransfer();
      dt.items.add(new File([Uint8Array.from({ length: n }, (_, i) => i % 251)], 'dropped file.bin'));
      const stage = document.querySelector('br-room-page')!.shadowRoot!.querySelector('br-video-stage')!;
      stage.dispatchEvent(
        new DragEvent('dragover', { dataTransfer: dt, bubbles: true, composed: true, cancelable: true }),
      );
      stage.dispatchEvent(
        new DragEvent('drop', { dataTransfer: dt, bubbles: true, composed: true, cancelable: true }),
      );
    }, size);
    await page.locator('br-files-panel [data-file="dropped file.bin"]').waitFor({ timeout: 30_000 });
    const seen = await page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);
    // the bar moved: values strictly between empty and full were shown
    expect(seen.filter((v) => v > 0.05 && v < 0.95).length, JSON.stringify(seen)).toBeGreaterThan(0);
    expect(sha(readFileSync(join(folder!, 'dropped file.bin')))).toBe(sha(pattern(size)));

    // the room saves a file; the panel lists it after a refresh and downloads it
    asDesktopUser(id, `head -c 1500000 /dev/urandom > '${folder}/from the room.dat'`);
    const written = readFileSync(join(folder!, 'from the room.dat'));
    await page.locator('br-files-panel [data-action=files-refresh]').click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('br-files-panel [data-file="from the room.dat"]').click(),
    ]);
    expect(download.suggestedFilename()).toBe('from the room.dat');
    expect(sha(readFileSync(await download.path()))).toBe(sha(written));
    await page.screenshot({ path: 'test-artifacts/room-files.png' }).catch(() => {});
  });
});
