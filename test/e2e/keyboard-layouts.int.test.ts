import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until, xHeld } from '../support/agent-helpers.js';
import type { DashboardProcess } from '../support/dashboard-process.js';
import { startLocalRoomBrowser, type LocalRoomBrowser } from '../support/local-room-browser.js';
import {
  CAPS_LOCK_TYPING,
  FRENCH,
  FRENCH_CTRL_D,
  FRENCH_CTRL_W,
  FRENCH_DIGIT_ROW,
  FRENCH_SHIFTED_DIGITS,
  GERMAN,
  GERMAN_CTRL_Y,
  altGr,
  enter,
  shifted,
  type CdpKeyEvent,
} from '../support/keyboard-layouts.js';
import { sleep } from '../support/processes.js';

let dash: DashboardProcess | null = null;
let browser: Browser | null = null;
let env: LocalRoomBrowser | null = null;

beforeAll(async () => {
  env = await startLocalRoomBrowser();
  ({ dash, browser } = env);
}, 120_000);

afterAll(async () => {
  await env?.close();
}, 60_000);

/** Sends `events` to the focused element as the browser's own input (CDP), one at a time. */
async function dispatch(cdp: CDPSession, events: CdpKeyEvent[]): Promise<void> {
  for (const e of events) {
    await cdp.send('Input.dispatchKeyEvent', e);
    await sleep(10);
  }
}

/**
 * A participant in control of a fresh room whose app is the terminal (xterm running bash), with noVNC's
 * canvas focused. Layout events go through Chromium and noVNC exactly as a user's keyboard would.
 */
async function controllingPage(): Promise<{ page: Page; cdp: CDPSession; roomId: string }> {
  const created = await dash!.api<{ id: string; links: { participant: string } }>('POST', '/api/rooms', {
    width: 1280,
    height: 720,
    fps: 15,
  });
  const { id, links } = created.body;
  await until(
    async () => (await dash!.api<{ status: string }>('GET', `/api/rooms/${id}`)).body.status === 'ready',
    30_000,
    'the room to be ready',
  );
  const ctx = await browser!.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.warn(`[page error] ${e.message}`));
  await page.goto(links.participant);
  await page.locator('br-join-form input[name=name]').fill('kim');
  await page.locator('br-join-form button[type=submit]').click();
  await page.locator('br-control-panel button[data-action=request]').click();
  await page.locator('br-video-stage .overlay[data-phase=active]').waitFor({ timeout: 10_000 });
  const box = (await page.locator('br-video-stage .overlay').boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  return { page, cdp: await ctx.newCDPSession(page), roomId: id };
}

describe('non-US keyboard layouts reach the room as the user sees them (Chromium, noVNC, x11vnc, xterm)', () => {
  it('German and French: AltGr symbols, dead keys, AZERTY digits, shortcuts by their label', async () => {
    const { page, cdp, roomId } = await controllingPage();
    const out = join('/tmp', `boxroom-keys-${process.pid}-${Date.now()}`);
    try {
      // the setup line is typed on a US layout; what follows is German and French
      await page.keyboard.type(`cat > ${out} && touch ${out}.done`, { delay: 15 });
      await page.keyboard.press('Enter');
      await sleep(300);
      await dispatch(cdp, [...GERMAN.symbols, ...GERMAN.accents, ...enter()]);
      await dispatch(cdp, [...FRENCH.symbols, ...FRENCH.accents, ...enter()]);
      await dispatch(cdp, [...FRENCH_SHIFTED_DIGITS, ...FRENCH_DIGIT_ROW, ...enter()]);
      await dispatch(cdp, [...CAPS_LOCK_TYPING, ...enter()]);
      // Ctrl+D on AZERTY ends cat: the file is complete when the marker appears
      await dispatch(cdp, FRENCH_CTRL_D);
      await until(() => existsSync(`${out}.done`), 10_000, 'cat to end on Ctrl+D');
      expect(readFileSync(out, 'utf8')).toBe('@€{}\\|éèêñü\n@€{}\\|éèêñü\n1234567890&é"\'(-è_çà\nABcd\n');

      // shortcuts follow the key's label, not its position: physical KeyZ is Ctrl+W (bash: delete the
      // word) on AZERTY and Ctrl+Y (bash: paste it back) on QWERTZ; as a scancode it would be Ctrl+Z
      await page.keyboard.type(`echo abc def`, { delay: 15 });
      await dispatch(cdp, FRENCH_CTRL_W);
      await page.keyboard.type(`xyz `, { delay: 15 });
      await dispatch(cdp, GERMAN_CTRL_Y);
      await page.keyboard.type(` > ${out}.shortcut`, { delay: 15 });
      await page.keyboard.press('Enter');
      await until(() => existsSync(`${out}.shortcut`), 10_000, 'the shortcut line to run');
      await expect.poll(() => readFileSync(`${out}.shortcut`, 'utf8')).toBe('abc xyz def\n');

      // a phone keyboard: no keys noVNC can map, only composition and input events in a text field
      // (the stage's controller takes its edits; Chromium's IME path stands in for Android's)
      await page.evaluate(() => {
        const stage = document
          .querySelector('br-room-page')!
          .shadowRoot!.querySelector('br-video-stage') as HTMLElement & {
          input: { attachTextInput(t: HTMLTextAreaElement): () => void };
        };
        const field = document.createElement('textarea');
        field.id = 'soft-keys';
        document.body.append(field);
        stage.input.attachTextInput(field);
        field.focus();
      });
      for (const word of ['e', 'ec', 'ech', 'echo']) {
        await cdp.send('Input.imeSetComposition', {
          text: word,
          selectionStart: word.length,
          selectionEnd: word.length,
        });
      }
      await cdp.send('Input.insertText', { text: 'echo' });
      await cdp.send('Input.insertText', { text: ' ' });
      // a correction: the keyboard replaces its composing word "senor" with "señor"
      await cdp.send('Input.imeSetComposition', { text: 'senor', selectionStart: 5, selectionEnd: 5 });
      await cdp.send('Input.imeSetComposition', { text: 'señor', selectionStart: 5, selectionEnd: 5 });
      await cdp.send('Input.insertText', { text: 'señor' });
      await cdp.send('Input.insertText', { text: ` € > ${out}.ime` });
      await dispatch(cdp, enter());
      await until(() => existsSync(`${out}.ime`), 10_000, 'the composed line to run');
      await expect.poll(() => readFileSync(`${out}.ime`, 'utf8')).toBe('señor €\n');
      await page.locator('br-video-stage .overlay').click();

      // keys held while the page loses focus are released in the room
      const { display, runDir } = dash!.localRoom(roomId);
      await dispatch(cdp, [altGr({ key: 'q', code: 'KeyQ', keyCode: 81 })[0]!]);
      await dispatch(cdp, [shifted({ key: 'a', code: 'KeyA', keyCode: 65 })[0]!]);
      await expect.poll(() => xHeld(display, runDir)).toHaveLength(2);
      // a click outside the video (the holder line): the focus leaves noVNC's canvas
      await page.locator('[data-testid=holder]').click();
      await expect.poll(() => xHeld(display, runDir)).toEqual([]);
    } finally {
      for (const f of [out, `${out}.done`, `${out}.shortcut`, `${out}.ime`]) rmSync(f, { force: true });
      await page.context().close();
    }
  }, 120_000);
});
