import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until, xClientEnv } from '../support/agent-helpers.js';
import type { DashboardProcess } from '../support/dashboard-process.js';
import { startLocalRoomBrowser, type LocalRoomBrowser } from '../support/local-room-browser.js';
import { sleep } from '../support/processes.js';

/**
 * The room's clipboard in Chromium against a real room (local driver: the agent, boxroom-clipboard,
 * Xvfb, x11vnc, xterm), read and written inside the room with xclip, and the owner's policy switched
 * off while it runs (PATCH /api/rooms/:id). The refusals' messages are checked against the agent in
 * room-agent/src/clipboard/clipboard.int.test.ts.
 */

const run = promisify(execFile);
const TEXT = 'Grüße €✓ 日本';

let dash: DashboardProcess | null = null;
let browser: Browser | null = null;
let env: LocalRoomBrowser | null = null;
const copiers: ChildProcess[] = [];

beforeAll(async () => {
  env = await startLocalRoomBrowser();
  ({ dash, browser } = env);
}, 120_000);

afterAll(async () => {
  for (const p of copiers) p.kill();
  await env?.close();
}, 60_000);

async function join_(ctx: BrowserContext, link: string, name: string): Promise<Page> {
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.warn(`[page error] ${e.message}`));
  await page.goto(link);
  await page.locator('br-join-form input[name=name]').fill(name);
  await page.locator('br-join-form button[type=submit]').click();
  await page.locator('br-clipboard-panel').waitFor({ timeout: 15_000 });
  return page;
}

describe('clipboard, both ways, controller only (Chromium)', () => {
  it('copy out and paste in of UTF-8 text; viewers and participants without control get nothing', async () => {
    const created = await dash!.api<{ id: string; links: { participant: string; viewer: string } }>(
      'POST',
      '/api/rooms',
      { width: 1280, height: 720, fps: 15 },
    );
    const { id, links } = created.body;
    await until(
      async () => (await dash!.api<{ status: string }>('GET', `/api/rooms/${id}`)).body.status === 'ready',
      30_000,
      'the room to be ready',
    );
    const origin = new URL(links.participant).origin;
    const ctx = await browser!.newContext({ viewport: { width: 1280, height: 800 } });
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    // one context each: a context remembers its name and would skip the join form
    const others = await browser!.newContext({ viewport: { width: 1000, height: 700 } });
    const viewers = await browser!.newContext({ viewport: { width: 1000, height: 700 } });
    const out = join('/tmp', `boxroom-clip-${process.pid}-${Date.now()}`);
    try {
      const { display, runDir } = dash!.localRoom(id);
      const xenv = xClientEnv(display, runDir);
      const xclipRead = async (sel: string) =>
        (await run('xclip', ['-o', '-selection', sel], { env: xenv, timeout: 5000 })).stdout;

      const kim = await join_(ctx, links.participant, 'kim');
      const bob = await join_(others, links.participant, 'bob');
      const vic = await join_(viewers, links.viewer, 'vic');
      await kim.locator('br-control-panel button[data-action=request]').click();
      await kim.locator('br-video-stage .overlay[data-phase=active]').waitFor({ timeout: 10_000 });
      const box = (await kim.locator('br-video-stage .overlay').boundingBox())!;
      await kim.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      await kim.bringToFront();

      // copy out: a program in the room copies; the controller's device clipboard and panel get it
      const copier = spawn('xclip', ['-quiet', '-selection', 'clipboard', '-i'], {
        env: xenv,
        stdio: ['pipe', 'ignore', 'ignore'],
      });
      copiers.push(copier);
      copier.stdin.end(TEXT);
      await expect
        .poll(() => kim.locator('[data-testid=clipboard-last]').inputValue(), { timeout: 10_000 })
        .toBe(TEXT);
      await expect.poll(() => kim.evaluate(() => navigator.clipboard.readText())).toBe(TEXT);
      // nobody else hears of it
      for (const p of [bob, vic]) {
        expect(await p.locator('[data-testid=clipboard-last]').count()).toBe(0);
        expect(await p.locator('br-clipboard-panel section').textContent()).toContain(
          'for the participant in control',
        );
      }

      // paste in with the keyboard: the device's clipboard, then Shift+Insert over the picture, which
      // xterm (selectToClipboard) answers by pasting CLIPBOARD into cat
      const pasted = `${TEXT} paste`;
      await kim.evaluate((t) => navigator.clipboard.writeText(t), pasted);
      await kim.keyboard.type(`cat > ${out} && touch ${out}.done`, { delay: 15 });
      await kim.keyboard.press('Enter');
      await sleep(300);
      await kim.keyboard.press('Shift+Insert');
      await until(async () => (await xclipRead('clipboard')) === pasted, 5000, 'the paste in CLIPBOARD');
      expect(await xclipRead('primary')).toBe(pasted);
      await sleep(300);
      await kim.keyboard.press('Enter');
      await kim.keyboard.press('Control+D');
      await until(() => existsSync(`${out}.done`), 10_000, 'cat to end on Ctrl+D');
      expect(readFileSync(out, 'utf8')).toBe(`${pasted}\n`);

      // paste in through the panel
      await kim.locator('[data-testid=clipboard-input]').fill(`${TEXT} panel`);
      await kim.locator('button[data-action=clipboard-send]').click();
      await until(async () => (await xclipRead('clipboard')) === `${TEXT} panel`, 5000, 'the panel paste');
      expect(await xclipRead('primary')).toBe(`${TEXT} panel`);
      await expect.poll(() => kim.locator('[data-testid=clipboard-input]').inputValue()).toBe('');
      expect(await kim.locator('[data-testid=clipboard-notice]').count()).toBe(0);

      // a participant without control: no paste box, and Shift+Insert over the picture is not theirs
      expect(await bob.locator('[data-testid=clipboard-input]').count()).toBe(0);
      await bob.locator('br-video-stage').press('Shift+Insert');
      await sleep(500);
      expect(await xclipRead('clipboard')).toBe(`${TEXT} panel`);

      // the owner turns both directions off while the room runs (PATCH): the page says so at once,
      // a copy in the room does not reach the controller, a paste does not reach the room
      const patched = await dash!.api<{ settings: { clipboard: unknown } }>('PATCH', `/api/rooms/${id}`, {
        clipboard: { copyOut: false, pasteIn: false },
      });
      expect(patched.status).toBe(200);
      expect(patched.body.settings.clipboard).toEqual({ copyOut: false, pasteIn: false });
      await kim.getByText('The owner turned paste into the room off.').waitFor({ timeout: 10_000 });
      await kim.getByText('The owner turned copying out of the room off.').waitFor();
      expect(await kim.locator('[data-testid=clipboard-input]').count()).toBe(0);
      const secret = 'kept in the room';
      const blocked = spawn('xclip', ['-quiet', '-selection', 'clipboard', '-i'], {
        env: xenv,
        stdio: ['pipe', 'ignore', 'ignore'],
      });
      copiers.push(blocked);
      blocked.stdin.end(secret);
      await until(async () => (await xclipRead('clipboard')) === secret, 5000, 'the copy in the room');
      await sleep(1000);
      expect(await kim.evaluate(() => navigator.clipboard.readText())).toBe(pasted);
      // a paste by the keyboard: the page sends the device's text, the agent refuses it
      await kim.evaluate(() => navigator.clipboard.writeText('must not arrive'));
      await kim.keyboard.press('Shift+Insert');
      await sleep(1000);
      expect(await xclipRead('clipboard')).toBe(secret);
    } finally {
      rmSync(out, { force: true });
      rmSync(`${out}.done`, { force: true });
      await ctx.close();
      await others.close();
      await viewers.close();
      await dash!.api('DELETE', `/api/rooms/${id}`).catch(() => {});
    }
  }, 120_000);
});
