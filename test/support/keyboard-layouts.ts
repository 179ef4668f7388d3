/**
 * Key events exactly as Chromium on Linux (X11, XKB layouts `de` and `fr`) reports them, as CDP
 * `Input.dispatchKeyEvent` parameters: `key` is what the layout produced, `code` the physical key,
 * `windowsVirtualKeyCode` Chromium's keyCode, `modifiers` the ctrl/alt/shift bits (Alt 1, Ctrl 2,
 * Meta 4, Shift 8). Facts of the platform, not of boxroom:
 * - AltGr is its own key (`AltGraph` on `AltRight`, keyCode 225) and sets neither ctrlKey nor altKey;
 *   the characters it yields come with modifiers 0 (CDP has no bit for the AltGraph state).
 * - A dead key is keydown `Dead` (no text); the next key's keydown carries the composed character,
 *   its keyup the plain one.
 */
export interface CdpKeyEvent {
  type: 'keyDown' | 'rawKeyDown' | 'keyUp';
  key: string;
  code: string;
  windowsVirtualKeyCode: number;
  modifiers: number;
  text?: string;
  location?: number;
}

export const MOD = { alt: 1, ctrl: 2, meta: 4, shift: 8 } as const;

type Key = { key: string; code: string; keyCode: number; location?: number };

const press = (k: Key, modifiers: number): CdpKeyEvent => ({
  type: k.key.length === 1 && (modifiers & (MOD.ctrl | MOD.alt)) === 0 ? 'keyDown' : 'rawKeyDown',
  key: k.key,
  code: k.code,
  windowsVirtualKeyCode: k.keyCode,
  modifiers,
  ...(k.key.length === 1 && (modifiers & (MOD.ctrl | MOD.alt)) === 0 ? { text: k.key } : {}),
  ...(k.location ? { location: k.location } : {}),
});
const release = (k: Key, modifiers: number): CdpKeyEvent => ({
  type: 'keyUp',
  key: k.key,
  code: k.code,
  windowsVirtualKeyCode: k.keyCode,
  modifiers,
  ...(k.location ? { location: k.location } : {}),
});

const ALTGR: Key = { key: 'AltGraph', code: 'AltRight', keyCode: 225, location: 2 };
const SHIFT: Key = { key: 'Shift', code: 'ShiftLeft', keyCode: 16, location: 1 };
const CTRL: Key = { key: 'Control', code: 'ControlLeft', keyCode: 17, location: 1 };
export const ENTER: Key = { key: 'Enter', code: 'Enter', keyCode: 13 };

/** A tap of `k`, released as `upKey` (the dead-key case: keyup reports the unmodified character). */
function tap(k: Key, modifiers = 0, upKey = k.key): CdpKeyEvent[] {
  return [press(k, modifiers), release({ ...k, key: upKey }, modifiers)];
}

/** `k` while a modifier key is held: the modifier's own down and up events around it. */
function withModifier(mod: Key, bit: number, inner: CdpKeyEvent[]): CdpKeyEvent[] {
  return [press(mod, bit), ...inner, release(mod, 0)];
}

export const altGr = (k: Key): CdpKeyEvent[] => withModifier(ALTGR, 0, tap(k));
export const shifted = (k: Key): CdpKeyEvent[] => withModifier(SHIFT, MOD.shift, tap(k, MOD.shift));
/** Ctrl plus the key whose layout character is `k.key` (Chromium reports the layout's letter). */
export const ctrl = (k: Key): CdpKeyEvent[] => withModifier(CTRL, MOD.ctrl, tap(k, MOD.ctrl));
export const plain = (k: Key): CdpKeyEvent[] => tap(k);

/** A dead key (already wrapped in the modifiers it needs), then the key that completes it. */
function dead(deadEvents: CdpKeyEvent[], composed: string, base: Key): CdpKeyEvent[] {
  return [...deadEvents, ...tap({ ...base, key: composed }, 0, base.key)];
}
const DEAD = (code: string, keyCode: number): Key => ({ key: 'Dead', code, keyCode });
const LETTER = (l: string): Key => ({
  key: l,
  code: `Key${l.toUpperCase()}`,
  keyCode: l.toUpperCase().charCodeAt(0),
});
const E = LETTER('e');
const N = LETTER('n');
const U = LETTER('u');

export interface Layout {
  name: string;
  /** `@€{}\|` */
  symbols: CdpKeyEvent[];
  /** `éèêñü` */
  accents: CdpKeyEvent[];
}

/** German (XKB `de`): AltGr on Q, E, 7, 0, ß and <; dead acute/grave on ´, dead ^, dead ~ on AltGr+. */
export const GERMAN: Layout = {
  name: 'de',
  symbols: [
    ...altGr({ key: '@', code: 'KeyQ', keyCode: 81 }),
    ...altGr({ key: '€', code: 'KeyE', keyCode: 69 }),
    ...altGr({ key: '{', code: 'Digit7', keyCode: 55 }),
    ...altGr({ key: '}', code: 'Digit0', keyCode: 48 }),
    ...altGr({ key: '\\', code: 'Minus', keyCode: 219 }),
    ...altGr({ key: '|', code: 'IntlBackslash', keyCode: 226 }),
  ],
  accents: [
    ...dead(plain(DEAD('Equal', 221)), 'é', E),
    ...dead(shifted(DEAD('Equal', 221)), 'è', E),
    ...dead(plain(DEAD('Backquote', 220)), 'ê', E),
    ...dead(altGr(DEAD('BracketRight', 187)), 'ñ', N),
    ...plain({ key: 'ü', code: 'BracketLeft', keyCode: 186 }),
  ],
};

/** French AZERTY (XKB `fr`): é and è unshifted on 2 and 7, dead ^ and ¨ on [, dead ~ on AltGr+2. */
export const FRENCH: Layout = {
  name: 'fr',
  symbols: [
    ...altGr({ key: '@', code: 'Digit0', keyCode: 48 }),
    ...altGr({ key: '€', code: 'KeyE', keyCode: 69 }),
    ...altGr({ key: '{', code: 'Digit4', keyCode: 52 }),
    ...altGr({ key: '}', code: 'Equal', keyCode: 187 }),
    ...altGr({ key: '\\', code: 'Digit8', keyCode: 56 }),
    ...altGr({ key: '|', code: 'Digit6', keyCode: 54 }),
  ],
  accents: [
    ...plain({ key: 'é', code: 'Digit2', keyCode: 50 }),
    ...plain({ key: 'è', code: 'Digit7', keyCode: 55 }),
    ...dead(plain(DEAD('BracketLeft', 221)), 'ê', E),
    ...dead(altGr(DEAD('Digit2', 50)), 'ñ', N),
    ...dead(shifted(DEAD('BracketLeft', 221)), 'ü', U),
  ],
};

/** AZERTY's digits need Shift: Shift+& ... Shift+à is `1234567890`. */
export const FRENCH_SHIFTED_DIGITS: CdpKeyEvent[] = '1234567890'
  .split('')
  .flatMap((d) => shifted({ key: d, code: `Digit${d}`, keyCode: d.charCodeAt(0) }));

/** AZERTY's unshifted digit row: `&é"'(-è_çà`. */
export const FRENCH_DIGIT_ROW: CdpKeyEvent[] = [...'&é"\'(-è_çà'].flatMap((c, i) =>
  plain({ key: c, code: `Digit${(i + 1) % 10}`, keyCode: 48 + ((i + 1) % 10) }),
);

/** Shortcuts whose physical key differs from QWERTY: the same key (code KeyZ) is W on AZERTY, Y on QWERTZ. */
export const FRENCH_CTRL_W = ctrl({ key: 'w', code: 'KeyZ', keyCode: 87 });
export const GERMAN_CTRL_Y = ctrl({ key: 'y', code: 'KeyZ', keyCode: 89 });
export const FRENCH_CTRL_D = ctrl({ key: 'd', code: 'KeyD', keyCode: 68 });

/**
 * CapsLock on, `A` `B`, Shift+C (`c`: the browser applies both), CapsLock off, `d`: `ABcd`. The
 * characters already carry the lock state, whatever the layout.
 */
export const CAPS_LOCK_TYPING: CdpKeyEvent[] = [
  ...plain({ key: 'CapsLock', code: 'CapsLock', keyCode: 20 }),
  ...plain({ key: 'A', code: 'KeyA', keyCode: 65 }),
  ...plain({ key: 'B', code: 'KeyB', keyCode: 66 }),
  ...shifted({ key: 'c', code: 'KeyC', keyCode: 67 }),
  ...plain({ key: 'CapsLock', code: 'CapsLock', keyCode: 20 }),
  ...plain(LETTER('d')),
];

export const enter = (): CdpKeyEvent[] => [
  { ...press(ENTER, 0), type: 'keyDown', text: '\r' },
  release(ENTER, 0),
];
