/// <reference lib="dom" />
// page.evaluate() callbacks run in the browser.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, CDPSession, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until, xPointer, xdotool } from '../support/agent-helpers.js';
import { launchChromium } from '../support/browser.js';
import { composeAsAndroid, dispatchKeys, touchMove } from '../support/cdp-input.js';
import { DashboardProcess, REPO } from '../support/dashboard-process.js';
import { enter } from '../support/keyboard-layouts.js';
import { sleep } from '../support/processes.js';
import { startXev, xevButtons as buttons, xevEvents, xevKeyPresses as keyPresses } from '../support/xev.js';

/**
 * A phone in a real room: Chromium's touch emulation (hasTouch, isMobile, 390x844) at device pixel
 * ratios 1, 2 and 3 against a local room, each result read inside the room: the pointer from X
 * (xdotool), button and key events from an xev window, typed text from the terminal.
 */
const PHONE = { width: 390, height: 844 };
const REMOTE = { width: 1280, height: 720 };
const ARTIFACTS = join(REPO, 'test-artifacts');

let dash: DashboardProcess | null = null;
let browser: Browser | null = null;
let room: { id: string; link: string; display: number; runDir: string } | null = null;

beforeAll(async () => {
  dash = await DashboardProcess.start({
    driver: 'local',
    env: { BOXROOM_LOG_LEVEL: process.env.BOXROOM_E2E_LOG_LEVEL ?? 'warn' },
  });
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
  const { id, links } = await dash.createReadyRoom({ ...REMOTE, fps: 15 });
  room = { id, link: links.participant, ...dash.localRoom(id) };
}, 120_000);

afterAll(async () => {
  if (room) await dash?.api('DELETE', `/api/rooms/${room.id}`).catch(() => {});
  await browser?.close().catch(() => {});
  await dash?.teardown();
}, 60_000);

interface Phone {
  page: Page;
  cdp: CDPSession;
  /** the client point (CSS px) over remote pixel (rx, ry), from the overlay's current box */
  at(rx: number, ry: number): Promise<{ x: number; y: number }>;
  close(): Promise<void>;
}

/** A phone at `dpr` that joined the room and took control. */
async function phoneInControl(dpr: number): Promise<Phone> {
  const ctx = await browser!.newContext({
    viewport: PHONE,
    deviceScaleFactor: dpr,
    hasTouch: true,
    isMobile: true,
  });
  // Keyboard Lock's calls and their outcome, for the full-screen check (headless Chromium leaves CDP's
  // keys to the page whether locked or not, so the lock's effect itself is not observable here)
  await ctx.addInitScript(() => {
    const kb = (navigator as unknown as { keyboard?: { lock(): Promise<void>; unlock(): void } }).keyboard;
    const log: string[] = [];
    (window as unknown as { keyboardLockLog: string[] }).keyboardLockLog = log;
    if (!kb) return;
    const lock = kb.lock.bind(kb);
    const unlock = kb.unlock.bind(kb);
    kb.lock = () =>
      lock().then(
        () => void log.push('locked'),
        (e: Error) => void log.push(`refused: ${e.message}`),
      );
    kb.unlock = () => {
      log.push('unlocked');
      unlock();
    };
  });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.warn(`[page error] ${e.message}`));
  await page.goto(room!.link);
  await page.locator('br-join-form input[name=name]').fill(`phone ${dpr}x`);
  await page.locator('br-join-form button[type=submit]').tap();
  const request = page.locator('br-control-panel button[data-action=request]');
  await request.waitFor({ timeout: 15_000 });
  await expectOnScreen(page, request, 'the control button');
  await request.tap();
  await page.locator('br-video-stage .overlay[data-phase=active]').waitFor({ timeout: 10_000 });
  const overlay = page.locator('br-video-stage .overlay');
  return {
    page,
    cdp: await ctx.newCDPSession(page),
    at: async (rx, ry) => {
      const b = (await overlay.boundingBox())!;
      return {
        x: b.x + ((rx + 0.5) / REMOTE.width) * b.width,
        y: b.y + ((ry + 0.5) / REMOTE.height) * b.height,
      };
    },
    close: async () => {
      const release = page.locator('br-control-panel button[data-action=release]');
      if (await release.count()) await release.tap().catch(() => {});
      await ctx.close();
    },
  };
}

/** The element is inside the 390x844 viewport and the page is not scrolled. */
async function expectOnScreen(page: Page, el: Locator, what: string): Promise<void> {
  const r = await el.evaluate((e) => {
    const b = e.getBoundingClientRect();
    return { top: b.top, left: b.left, bottom: b.bottom, right: b.right, scrollY: window.scrollY };
  });
  expect({ what, ...r }).toMatchObject({ what, scrollY: 0 });
  expect(r.top, what).toBeGreaterThanOrEqual(0);
  expect(r.left, what).toBeGreaterThanOrEqual(0);
  expect(r.bottom, what).toBeLessThanOrEqual(PHONE.height);
  expect(r.right, what).toBeLessThanOrEqual(PHONE.width);
  expect(r.bottom - r.top, what).toBeGreaterThan(0);
}

/** How far (X pixels, the larger axis) the room's pointer is from (rx, ry). */
async function pointerOff(rx: number, ry: number): Promise<number> {
  const m = /x:(\d+) y:(\d+)/.exec(await xPointer(room!.display, room!.runDir))!;
  return Math.max(Math.abs(Number(m[1]) - rx), Math.abs(Number(m[2]) - ry));
}

/** A tap over remote pixel (rx, ry) puts the room's pointer there, within 1 px. */
async function expectTapLands(phone: Phone, rx: number, ry: number): Promise<void> {
  const p = await phone.at(rx, ry);
  await phone.page.touchscreen.tap(p.x, p.y);
  await expect.poll(() => pointerOff(rx, ry), { timeout: 5000 }).toBeLessThanOrEqual(1);
}

/** What is full screen, inside the room page's shadow root (the document sees only its host). */
function fullscreenElement(page: Page): Promise<string | undefined> {
  return page.evaluate(
    () => document.querySelector('br-room-page')!.shadowRoot!.fullscreenElement?.localName,
  );
}

/** The text field the key bar focuses, if it has the focus (through the shadow roots). */
function softKeyboardFocused(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    let a: Element | null = document.activeElement;
    while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
    return a?.getAttribute('data-testid') === 'soft-keyboard-field';
  });
}

describe('touch and phones: a phone-sized Chromium with touch controls a real room', () => {
  it('at 390x844 and DPR 1, 2 and 3 the video, control button and key bar fit, and taps land within 1 px', async () => {
    for (const dpr of [1, 2, 3]) {
      const phone = await phoneInControl(dpr);
      try {
        const { page } = phone;
        await expectOnScreen(page, page.locator('br-video-stage video'), `video at DPR ${dpr}`);
        await expectOnScreen(
          page,
          page.locator('br-control-panel button[data-action=release]'),
          `control button at DPR ${dpr}`,
        );
        await expectOnScreen(page, page.locator('br-key-bar'), `key bar at DPR ${dpr}`);
        await page.screenshot({ path: join(ARTIFACTS, `room-touch-390x844-dpr${dpr}.png`) });
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
          PHONE.width,
        );
        for (const [rx, ry] of [
          [400, 300],
          [1000, 650],
          [37, 41],
          [1243, 702],
        ] as const)
          await expectTapLands(phone, rx, ry);
      } finally {
        await phone.close();
      }
    }
  }, 150_000);

  it('tap, drag, two-finger scroll, long press, pinch zoom and the key bar, read by xev in the room', async () => {
    const { display, runDir } = room!;
    // over the terminal, focused
    const xev = startXev(display, runDir, 'boxroom-touch');
    const since = () => xev.since();
    const phone = await phoneInControl(2);
    try {
      const { page, cdp } = phone;
      await until(
        async () =>
          (await xdotool(display, runDir, 'search', '--name', 'boxroom-touch').catch(() => '')).trim(),
        10_000,
        'the xev window',
      );
      await sleep(500);

      // a tap: button 1 pressed and released where the finger is
      let read = since();
      const c = await phone.at(640, 360);
      await page.touchscreen.tap(c.x, c.y);
      await expect.poll(() => buttons(read(), 'ButtonRelease')).toEqual([1]);
      expect(buttons(read(), 'ButtonPress')).toEqual([1]);

      // a drag: button 1 held while the pointer moves 300 remote px right, released there
      read = since();
      const from = await phone.at(300, 200);
      const to = await phone.at(600, 200);
      await touchMove(cdp, [{ ...from, id: 1 }], [[to.x - from.x, 0]]);
      await expect.poll(() => buttons(read(), 'ButtonRelease')).toEqual([1]);
      expect(buttons(read(), 'ButtonPress')).toEqual([1]);
      const dragged = xevEvents(read()).filter(
        (e) => e.type === 'MotionNotify' && /state 0x100/.test(e.text),
      );
      expect(dragged.length).toBeGreaterThan(1);
      expect(await pointerOff(600, 200)).toBeLessThanOrEqual(1);

      // two fingers moving up together: wheel steps (buttons 4/5 pressed and released), no button 1
      read = since();
      const s = await phone.at(640, 500);
      await touchMove(
        cdp,
        [
          { x: s.x - 30, y: s.y, id: 2 },
          { x: s.x + 30, y: s.y, id: 3 },
        ],
        [
          [0, -120],
          [0, -120],
        ],
      );
      await expect.poll(() => buttons(read(), 'ButtonPress').length).toBeGreaterThanOrEqual(2);
      const wheel = buttons(read(), 'ButtonPress');
      expect(new Set(wheel).size).toBe(1);
      expect([4, 5]).toContain(wheel[0]);

      // a long press: the right button, held until the finger lifts
      read = since();
      const lp = await phone.at(800, 300);
      await touchMove(cdp, [{ ...lp, id: 4 }], [[0, 0]], { holdMs: 1300, keepDown: true });
      await expect.poll(() => buttons(read(), 'ButtonPress')).toEqual([3]);
      expect(buttons(read(), 'ButtonRelease')).toEqual([]);
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
      await expect.poll(() => buttons(read(), 'ButtonRelease')).toEqual([3]);
      expect(await pointerOff(800, 300)).toBeLessThanOrEqual(1);

      // a pinch zooms the view, sends nothing to the room, and taps still land under the finger
      read = since();
      const overlay = page.locator('br-video-stage .overlay');
      const before = (await overlay.boundingBox())!;
      const m = await phone.at(640, 360);
      await touchMove(
        cdp,
        [
          { x: m.x - 20, y: m.y, id: 5 },
          { x: m.x + 20, y: m.y, id: 6 },
        ],
        [
          [-70, 0],
          [70, 0],
        ],
        { steps: 12 },
      );
      const after = (await overlay.boundingBox())!;
      expect(after.width / before.width).toBeGreaterThan(2);
      await sleep(300);
      expect(xevEvents(read()).filter((e) => /^(ButtonPress|KeyPress)$/.test(e.type))).toEqual([]);
      for (const [rx, ry] of [
        [640, 360],
        [600, 330],
      ] as const) {
        await expectTapLands(phone, rx, ry);
        await sleep(1100); // past noVNC's double-tap window, which would snap the second tap to the first
      }
      await page.locator('br-video-stage [data-testid=unzoom]').tap();
      await expect.poll(async () => (await overlay.boundingBox())!.width).toBeCloseTo(before.width, 0);

      // the key bar: Esc, Tab, arrows; Ctrl and Alt sticky for the next key only
      read = since();
      const key = (name: string) => page.locator(`br-key-bar [data-key=${name}]`).tap();
      for (const k of ['Escape', 'Tab', 'Left', 'Up', 'Down', 'Right']) await key(k);
      await key('Ctrl');
      await key('Escape');
      await key('Alt');
      await key('Down');
      await key('Tab');
      await expect
        .poll(() => keyPresses(read()))
        .toEqual([
          '0x0 Escape',
          '0x0 Tab',
          '0x0 Left',
          '0x0 Up',
          '0x0 Down',
          '0x0 Right',
          '0x0 Control_L',
          '0x4 Escape',
          '0x0 Alt_L',
          '0x8 Down',
          '0x0 Tab',
        ]);

      // full screen: the keyboard is locked (Escape, Tab, Alt+Tab for the room), and Escape reaches it
      const lockLog = () =>
        page.evaluate(() => (window as unknown as { keyboardLockLog: string[] }).keyboardLockLog);
      await page.locator('br-video-stage [data-testid=fullscreen]').tap();
      await expect.poll(() => fullscreenElement(page)).toBe('br-video-stage');
      await expect.poll(lockLog).toContain('locked');
      // a tap on the picture (laid out anew full screen): the canvas takes the (hardware) keyboard
      read = since();
      const f = await phone.at(640, 360);
      await page.touchscreen.tap(f.x, f.y);
      await expect.poll(() => buttons(read(), 'ButtonRelease')).toEqual([1]);
      read = since();
      await dispatchKeys(cdp, [
        { type: 'rawKeyDown', key: 'Escape', code: 'Escape', windowsVirtualKeyCode: 27, modifiers: 0 },
        { type: 'keyUp', key: 'Escape', code: 'Escape', windowsVirtualKeyCode: 27, modifiers: 0 },
      ]);
      await expect.poll(() => keyPresses(read())).toEqual(['0x0 Escape']);
      await sleep(200);
      expect(await fullscreenElement(page)).toBe('br-video-stage');
      await page.locator('br-video-stage [data-testid=fullscreen]').tap();
      await expect.poll(() => fullscreenElement(page)).toBeUndefined();
      // fullscreenchange (which unlocks) is dispatched after fullscreenElement changes, at a frame
      await expect.poll(async () => (await lockLog()).at(-1)).toBe('unlocked');
    } finally {
      xev.stop();
      await phone.close();
    }
  }, 120_000);

  it('the soft keyboard types into the terminal, an Android composition included; the key bar keeps it up', async () => {
    const phone = await phoneInControl(2);
    const out = join('/tmp', `boxroom-soft-${process.pid}-${Date.now()}`);
    try {
      const { page, cdp } = phone;
      // the terminal has the room's focus
      const c = await phone.at(640, 360);
      await page.touchscreen.tap(c.x, c.y);
      await page.locator('br-key-bar [data-testid=soft-keyboard]').tap();
      await expect.poll(() => softKeyboardFocused(page)).toBe(true);

      await cdp.send('Input.insertText', { text: `cat > ${out} && touch ${out}.done` });
      await dispatchKeys(cdp, enter());
      await sleep(300);
      // Android's keyboards: keydown "Unidentified" with keyCode 229 around each change of the word
      // being composed, the text only in composition and input events; then a correction of that word
      for (const word of ['h', 'he', 'hel', 'hell', 'hello']) await composeAsAndroid(cdp, word);
      await cdp.send('Input.insertText', { text: 'hello' });
      await cdp.send('Input.insertText', { text: ' ' });
      await composeAsAndroid(cdp, 'senor');
      await composeAsAndroid(cdp, 'señor');
      await cdp.send('Input.insertText', { text: 'señor' });
      await cdp.send('Input.insertText', { text: ' €' });
      await dispatchKeys(cdp, enter());
      // key-bar keys while typing: the field keeps the focus (the phone's keyboard stays up)
      for (const k of ['Escape', 'Tab', 'Left']) await page.locator(`br-key-bar [data-key=${k}]`).tap();
      expect(await softKeyboardFocused(page)).toBe(true);
      await dispatchKeys(cdp, enter());
      // sticky Ctrl, then "d" from the phone's keyboard: Ctrl+D ends cat
      await page.locator('br-key-bar [data-key=Ctrl]').tap();
      await cdp.send('Input.insertText', { text: 'd' });
      await until(() => existsSync(`${out}.done`), 10_000, 'cat to end on Ctrl+D');
      // Esc, Tab and Left as the terminal sends them (Left: CSI D, or SS3 D in application mode)
      expect(readFileSync(out, 'utf8').replaceAll('\u001b', '<ESC>')).toMatch(
        /^hello señor €\n<ESC>\t<ESC>(\[|O)D\n$/,
      );
      expect(await softKeyboardFocused(page)).toBe(true);
    } finally {
      for (const f of [out, `${out}.done`]) rmSync(f, { force: true });
      await phone.close();
    }
  }, 90_000);
});
