// @vitest-environment happy-dom
/// <reference lib="dom" />
/**
 * What noVNC (the installed version) sends to the room for the key events Chromium on Linux produces
 * on German and French layouts: the keysym of the character the layout made, AltGr as
 * ISO_Level3_Shift, nothing for a dead key (the composed character follows as one keysym). The room's
 * x11vnc types keysyms (docs/decisions.md, "Keysyms, not scancodes"); an upgrade of noVNC that starts
 * sending something else for these fails here, before the browser test.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CAPS_LOCK_TYPING,
  FRENCH,
  FRENCH_DIGIT_ROW,
  FRENCH_SHIFTED_DIGITS,
  GERMAN,
  MOD,
  type CdpKeyEvent,
} from '../support/keyboard-layouts.js';

interface NoVncKeyboard {
  onkeyevent: (keysym: number | null, code: string, down: boolean) => void;
  grab(): void;
  ungrab(): void;
}
type KeyboardClass = new (target: HTMLElement) => NoVncKeyboard;

let Keyboard: KeyboardClass;

beforeAll(async () => {
  // chosen before noVNC's browser detection runs: Chromium on Linux
  Object.defineProperty(navigator, 'platform', { value: 'Linux x86_64', configurable: true });
  // the package exports only core/rfb.js; its keyboard module sits next to it
  const rfb = createRequire(import.meta.url).resolve('@novnc/novnc');
  const mod = (await import(pathToFileURL(join(dirname(rfb), 'input', 'keyboard.js')).href)) as {
    default: KeyboardClass;
  };
  Keyboard = mod.default;
});

const XK = {
  ISO_Level3_Shift: 0xfe03,
  Shift_L: 0xffe1,
  Caps_Lock: 0xffe5,
};

/** Key-down keysyms noVNC reports for `events` (ups are checked to match their downs). */
function keysymsFor(events: CdpKeyEvent[]): number[] {
  const target = document.createElement('div');
  document.body.append(target);
  const kb = new Keyboard(target);
  const downs: number[] = [];
  const held = new Map<string, number>();
  kb.onkeyevent = (keysym, code, down) => {
    // a key without a keysym (`Dead`): RFB.sendKey drops it, as the server has no QEMU key extension
    if (keysym === null) return;
    if (down) {
      downs.push(keysym);
      held.set(code, keysym);
    } else {
      expect(held.get(code)).toBe(keysym);
      held.delete(code);
    }
  };
  kb.grab();
  for (const e of events) {
    const ev = new KeyboardEvent(e.type === 'keyUp' ? 'keyup' : 'keydown', {
      key: e.key,
      code: e.code,
      location: e.location ?? 0,
      shiftKey: (e.modifiers & MOD.shift) !== 0,
      ctrlKey: (e.modifiers & MOD.ctrl) !== 0,
      altKey: (e.modifiers & MOD.alt) !== 0,
      bubbles: true,
      cancelable: true,
    });
    target.dispatchEvent(ev);
  }
  kb.ungrab();
  target.remove();
  expect([...held.keys()]).toEqual([]);
  return downs;
}

/** Keysyms of Latin-1 characters are their code points; the euro sign's (XK_EuroSign) is 0x20ac too. */
const chars = (s: string) => [...s].map((c) => c.codePointAt(0)!);
const altGrWrapped = (s: string) => chars(s).flatMap((k) => [XK.ISO_Level3_Shift, k]);

describe('noVNC keysyms for Chromium-on-Linux layout events', () => {
  it('German: AltGr symbols as ISO_Level3_Shift + the character, dead keys send only the composed one', () => {
    expect(keysymsFor(GERMAN.symbols)).toEqual(altGrWrapped('@€{}\\|'));
    expect(keysymsFor(GERMAN.accents)).toEqual([
      ...chars('é'),
      XK.Shift_L,
      ...chars('è'),
      ...chars('ê'),
      XK.ISO_Level3_Shift,
      ...chars('ñü'),
    ]);
  });

  it('French: AltGr symbols, é and è as characters, dead ^ ~ ¨ composed', () => {
    expect(keysymsFor(FRENCH.symbols)).toEqual(altGrWrapped('@€{}\\|'));
    expect(keysymsFor(FRENCH.accents)).toEqual([
      ...chars('éèê'),
      XK.ISO_Level3_Shift,
      ...chars('ñ'),
      XK.Shift_L,
      ...chars('ü'),
    ]);
  });

  it('AZERTY digit row: Shift+key is the digit, the plain key its symbol', () => {
    expect(keysymsFor(FRENCH_SHIFTED_DIGITS)).toEqual(chars('1234567890').flatMap((d) => [XK.Shift_L, d]));
    expect(keysymsFor(FRENCH_DIGIT_ROW)).toEqual(chars('&é"\'(-è_çà'));
  });

  it('CapsLock: the letters come with the lock applied, next to the Caps_Lock keysym itself', () => {
    expect(keysymsFor(CAPS_LOCK_TYPING)).toEqual([
      XK.Caps_Lock,
      ...chars('AB'),
      XK.Shift_L,
      ...chars('c'),
      XK.Caps_Lock,
      ...chars('d'),
    ]);
  });
});
