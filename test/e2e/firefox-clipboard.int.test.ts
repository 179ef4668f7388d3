/// <reference lib="dom" />
// page.evaluate() callbacks run in the browser.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until, xClientEnv } from '../support/agent-helpers.js';
import { launchFirefox } from '../support/firefox.js';
import { startLocalRoomBrowser, type LocalRoomBrowser } from '../support/local-room-browser.js';
import { sleep } from '../support/processes.js';

// The room's clipboard in Firefox ESR (WebDriver BiDi through puppeteer-core): what the Chromium test
// (clipboard.int.test.ts) checks, where Firefox's rules differ: it lets a page write the device's
// clipboard only within 5 s of a user gesture (transient activation), so a copy from the room that
// comes later waits in the panel for its Copy button. (Within those 5 s it is written at once: the
// first run of this test copied 2 s after a click, and Firefox took it.)

const run = promisify(execFile);
const TEXT = 'Grüße €✓ 日本';

let env: LocalRoomBrowser<Browser> | null = null;
const copiers: ChildProcess[] = [];

beforeAll(async () => {
  env = await startLocalRoomBrowser(launchFirefox);
}, 120_000);

afterAll(async () => {
  for (const p of copiers) p.kill();
  await env?.close();
}, 60_000);

const value = (page: Page, sel: string) => page.$eval(`>>> ${sel}`, (e) => (e as HTMLTextAreaElement).value);

describe('the room clipboard in Firefox ESR', () => {
  it('copy out through the panel, paste in with Shift+Insert and the panel', async () => {
    const { dash, browser } = env!;
    const created = await dash.api<{ id: string; links: { participant: string } }>('POST', '/api/rooms', {
      width: 1280,
      height: 720,
      fps: 15,
    });
    const { id, links } = created.body;
    await until(
      async () => (await dash.api<{ status: string }>('GET', `/api/rooms/${id}`)).body.status === 'ready',
      60_000,
      'the room to be ready',
    );
    const { display, runDir } = dash.localRoom(id);
    const xenv = xClientEnv(display, runDir);
    const xclipRead = async (sel: string) =>
      (await run('xclip', ['-o', '-selection', sel], { env: xenv, timeout: 5000 })).stdout;
    const out = join('/tmp', `boxroom-ffclip-${process.pid}-${Date.now()}`);
    const page = await browser.newPage();
    try {
      page.on('pageerror', (e) => console.warn(`[page error] ${String(e)}`));
      await page.setViewport({ width: 1280, height: 800 });
      await page.goto(links.participant);
      await (await page.waitForSelector('>>> br-join-form >>> input[name=name]'))!.type('fiona');
      await (await page.waitForSelector('>>> br-join-form >>> button[type=submit]'))!.click();
      await (await page.waitForSelector('>>> br-control-panel >>> button[data-action=request]'))!.click();
      const overlay = await page.waitForSelector('>>> br-video-stage >>> .overlay[data-phase=active]', {
        timeout: 15_000,
      });
      const box = (await overlay!.boundingBox())!;
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);

      // copy out long after the last gesture: the panel has it, the device's clipboard not
      await sleep(6000); // past Firefox's transient user activation (5 s) from the click
      const copier = spawn('xclip', ['-quiet', '-selection', 'clipboard', '-i'], {
        env: xenv,
        stdio: ['pipe', 'ignore', 'ignore'],
      });
      copiers.push(copier);
      copier.stdin.end(TEXT);
      await page.waitForSelector('>>> [data-testid=clipboard-last]', { timeout: 10_000 });
      expect(await value(page, '[data-testid=clipboard-last]')).toBe(TEXT);
      const panelRow = () => page.$eval('>>> br-clipboard-panel >>> .row .muted', (e) => e.textContent ?? '');
      expect(await panelRow()).toBe('');
      // the Copy button is a user gesture: now it is on the device's clipboard
      await (await page.waitForSelector('>>> button[data-action=clipboard-copy]'))!.click();
      await expect.poll(panelRow).toBe('on your clipboard');

      // paste in through the panel
      await (await page.waitForSelector('>>> [data-testid=clipboard-input]'))!.type(`${TEXT} panel`);
      await (await page.waitForSelector('>>> button[data-action=clipboard-send]'))!.click();
      await until(async () => (await xclipRead('clipboard')) === `${TEXT} panel`, 5000, 'the panel paste');

      // paste in with Shift+Insert over the picture: the device's clipboard (TEXT) again, into cat
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      await page.keyboard.type(`cat > ${out} && touch ${out}.done`, { delay: 15 });
      await page.keyboard.press('Enter');
      await sleep(300);
      await page.keyboard.down('Shift');
      await page.keyboard.press('Insert');
      await page.keyboard.up('Shift');
      await until(async () => (await xclipRead('clipboard')) === TEXT, 5000, 'the keyboard paste');
      await sleep(300);
      await page.keyboard.press('Enter');
      await page.keyboard.down('Control');
      await page.keyboard.press('d');
      await page.keyboard.up('Control');
      await until(() => existsSync(`${out}.done`), 10_000, 'cat to end on Ctrl+D');
      expect(readFileSync(out, 'utf8')).toBe(`${TEXT}\n`);
    } finally {
      rmSync(out, { force: true });
      rmSync(`${out}.done`, { force: true });
      await page.close().catch(() => {});
      await dash.api('DELETE', `/api/rooms/${id}`).catch(() => {});
    }
  }, 180_000);
});
