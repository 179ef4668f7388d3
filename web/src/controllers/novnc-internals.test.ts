// @vitest-environment happy-dom
/**
 * What input-controller.ts relies on inside noVNC, checked against the installed version: RFB keeps
 * its keyboard in `_keyboard`, and that keyboard's `_allKeysUp()` sends a key-up for every key it
 * holds. An upgrade that renames either fails here instead of leaving keys stuck in the room.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { releaseAllKeys } from './input-controller.js';

// the package exports only core/rfb.js; its keyboard module sits next to it
const rfbPath = createRequire(import.meta.url).resolve('@novnc/novnc');

interface NoVncKeyboard {
  onkeyevent: (keysym: number | null, code: string, down: boolean) => void;
  grab(): void;
}

describe('noVNC internals the input controller uses', () => {
  it('RFB keeps its keyboard in _keyboard', () => {
    expect(readFileSync(rfbPath, 'utf8')).toMatch(/this\._keyboard = new Keyboard\(/);
  });

  it("the keyboard's _allKeysUp releases what is held, through releaseAllKeys", async () => {
    const url = pathToFileURL(join(dirname(rfbPath), 'input', 'keyboard.js')).href;
    const { default: Keyboard } = (await import(url)) as {
      default: new (t: HTMLElement) => NoVncKeyboard;
    };
    const target = document.createElement('div');
    document.body.append(target);
    const kb = new Keyboard(target);
    const sent: Array<[number | null, boolean]> = [];
    kb.onkeyevent = (keysym, _code, down) => sent.push([keysym, down]);
    kb.grab();
    for (const [key, code] of [
      ['AltGraph', 'AltRight'],
      ['Shift', 'ShiftLeft'],
    ])
      target.dispatchEvent(new KeyboardEvent('keydown', { key, code, location: 1, bubbles: true }));
    releaseAllKeys({ _keyboard: kb } as never);
    expect(sent).toEqual([
      [0xfe03, true],
      [0xffe1, true],
      [0xfe03, false],
      [0xffe1, false],
    ]);
  });
});
