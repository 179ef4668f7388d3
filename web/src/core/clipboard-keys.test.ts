import { describe, expect, it } from 'vitest';
import {
  pasteKeyOf,
  pasteTooLarge,
  utf8Bytes,
  XK_CONTROL_L,
  XK_INSERT,
  XK_SHIFT_L,
} from './clipboard-keys.js';

const key = (o: Partial<KeyboardEvent>) =>
  ({
    key: '',
    code: '',
    ctrlKey: false,
    metaKey: false,
    shiftKey: false,
    altKey: false,
    ...o,
  }) as KeyboardEvent;

describe('pasteKeyOf', () => {
  it('knows the paste shortcuts as Linux Chromium and a Mac report them', () => {
    const ctrlV = { modifiers: [XK_CONTROL_L], keysym: 0x76 };
    expect(pasteKeyOf(key({ key: 'v', code: 'KeyV', ctrlKey: true }))).toEqual(ctrlV);
    expect(pasteKeyOf(key({ key: 'V', code: 'KeyV', ctrlKey: true, shiftKey: true }))).toEqual({
      modifiers: [XK_CONTROL_L, XK_SHIFT_L],
      keysym: 0x56,
    });
    // Cmd+V on a Mac: the room is Linux, so Ctrl+V
    expect(pasteKeyOf(key({ key: 'v', code: 'KeyV', metaKey: true }))).toEqual(ctrlV);
    expect(pasteKeyOf(key({ key: 'Insert', code: 'Insert', shiftKey: true }))).toEqual({
      modifiers: [XK_SHIFT_L],
      keysym: XK_INSERT,
    });
  });

  it('leaves other keys alone: plain v, AltGr, and a layout whose KeyV is another letter', () => {
    expect(pasteKeyOf(key({ key: 'v', code: 'KeyV' }))).toBeNull();
    expect(pasteKeyOf(key({ key: 'v', code: 'KeyV', ctrlKey: true, altKey: true }))).toBeNull();
    // Dvorak: the key at QWERTY's V is K; Ctrl+K is not a paste
    expect(pasteKeyOf(key({ key: 'k', code: 'KeyV', ctrlKey: true }))).toBeNull();
    expect(pasteKeyOf(key({ key: 'Insert', code: 'Insert', shiftKey: true, ctrlKey: true }))).toBeNull();
  });
});

describe('clipboard limits', () => {
  it('counts UTF-8 bytes, not UTF-16 units', () => {
    expect(utf8Bytes('Grüße €✓ 日本')).toBe(21);
    expect(pasteTooLarge('x'.repeat(128 * 1024))).toBeNull();
    expect(pasteTooLarge('€'.repeat(50_000))).toBe('clipboard text is limited to 128 KiB (this is 147 KiB)');
  });
});
