import { MAX_CLIPBOARD_BYTES } from '@boxroom/contracts';
import { keysymOf } from './text-input-keys.js';

/**
 * Paste shortcuts the page holds back while it hands the controller's clipboard to the room: the
 * browser pastes into a hidden field (no permission prompt: the paste event carries the text), the
 * text becomes the room's CLIPBOARD, and only then does the room get the key, so its program pastes
 * the new text and not the one before.
 */

export const XK_CONTROL_L = 0xffe3;
export const XK_SHIFT_L = 0xffe1;
export const XK_INSERT = 0xff63;

/**
 * What to type in the room once the paste is there: the modifiers, pressed in order around the key.
 * The held modifiers were released in the room when the focus moved to the paste field (see
 * InputController), so they are pressed again here. Cmd+V on a Mac becomes Ctrl+V: the room is Linux.
 */
export interface PasteKey {
  modifiers: number[];
  keysym: number;
}

type KeyLike = Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>;

/** Ctrl+V, Ctrl+Shift+V (terminals), Cmd+V and Shift+Insert are pastes; anything else (AltGr included) is not. */
export function pasteKeyOf(e: KeyLike): PasteKey | null {
  if (e.altKey) return null;
  if (e.code === 'Insert' && e.shiftKey && !e.ctrlKey && !e.metaKey)
    return { modifiers: [XK_SHIFT_L], keysym: XK_INSERT };
  if (e.code !== 'KeyV' || (e.key !== 'v' && e.key !== 'V')) return null;
  if (!e.ctrlKey && !e.metaKey) return null;
  return { modifiers: e.shiftKey ? [XK_CONTROL_L, XK_SHIFT_L] : [XK_CONTROL_L], keysym: keysymOf(e.key) };
}

export function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** Why `text` cannot go to the room, or null. */
export function pasteTooLarge(text: string): string | null {
  const bytes = utf8Bytes(text);
  if (bytes <= MAX_CLIPBOARD_BYTES) return null;
  return `clipboard text is limited to ${MAX_CLIPBOARD_BYTES / 1024} KiB (this is ${Math.ceil(bytes / 1024)} KiB)`;
}
