/**
 * Keys for text that arrives without key events: phone keyboards (Android's report every key as
 * keydown `Unidentified`, keyCode 229, and deliver the text through composition and `input` events),
 * which noVNC cannot map. The text field's value before and after an edit is all that is reliable:
 * a composition rewrites its word in place ("hel" -> "hell" -> "hello", or a correction "teh" -> "the"),
 * so the room gets Backspaces for what changed and the new characters, and ends with the same text.
 */

export const XK_BACKSPACE = 0xff08;
export const XK_RETURN = 0xff0d;
export const XK_TAB = 0xff09;

/**
 * The X keysym of one character: Latin-1 keysyms are their code points, everything else is the
 * Unicode keysym (0x01000000 + code point), which x11vnc adds to a spare keycode (-add_keysyms).
 */
export function keysymOf(ch: string): number {
  if (ch === '\n' || ch === '\r') return XK_RETURN;
  if (ch === '\t') return XK_TAB;
  const cp = ch.codePointAt(0) ?? 0;
  if ((cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff)) return cp;
  return 0x01000000 + cp;
}

/**
 * Keysyms to tap so a room that shows `before` at the cursor's end shows `after`: one Backspace per
 * character after the common prefix of the two, then the rest of `after`. Compares by code points,
 * so an emoji is one Backspace.
 */
export function editKeysyms(before: string, after: string): number[] {
  const a = [...before];
  const b = [...after];
  let same = 0;
  while (same < a.length && same < b.length && a[same] === b[same]) same++;
  return [...a.slice(same).map(() => XK_BACKSPACE), ...b.slice(same).map(keysymOf)];
}
