import type { CDPSession } from 'playwright-core';
import type { CdpKeyEvent } from './keyboard-layouts.js';
import { sleep } from './processes.js';

/** Sends `events` to the focused element as the browser's own input (CDP), one at a time. */
export async function dispatchKeys(cdp: CDPSession, events: CdpKeyEvent[]): Promise<void> {
  for (const e of events) {
    await cdp.send('Input.dispatchKeyEvent', e);
    await sleep(10);
  }
}

export type Finger = { x: number; y: number; id: number };

/**
 * Chromium's own touch input (CDP, needs a context with `hasTouch`): `fingers` down, each moved by its
 * (dx, dy) in `steps` moves 16 ms apart, lifted. `holdMs` waits before moving (a long press);
 * `keepDown` leaves the fingers on the screen.
 */
export async function touchMove(
  cdp: CDPSession,
  fingers: Finger[],
  deltas: Array<[number, number]>,
  opts: { steps?: number; holdMs?: number; keepDown?: boolean } = {},
): Promise<void> {
  const steps = opts.steps ?? 8;
  const points = (s: number) =>
    fingers.map((f, i) => ({
      id: f.id,
      x: f.x + (deltas[i]![0] * s) / steps,
      y: f.y + (deltas[i]![1] * s) / steps,
    }));
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: points(0) });
  if (opts.holdMs) await sleep(opts.holdMs);
  if (deltas.some(([dx, dy]) => dx !== 0 || dy !== 0)) {
    for (let s = 1; s <= steps; s++) {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: points(s) });
      await sleep(16);
    }
  }
  if (!opts.keepDown) await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

/**
 * One change of the word an Android keyboard is composing, as Chrome on Android delivers it to a text
 * field: keydown `Unidentified` with keyCode 229, the text only in the composition (and input) event,
 * keyup 229.
 */
export async function composeAsAndroid(cdp: CDPSession, word: string): Promise<void> {
  const unidentified = { key: 'Unidentified', code: '', windowsVirtualKeyCode: 229, modifiers: 0 };
  await cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', ...unidentified });
  await cdp.send('Input.imeSetComposition', {
    text: word,
    selectionStart: word.length,
    selectionEnd: word.length,
  });
  await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...unidentified });
}
