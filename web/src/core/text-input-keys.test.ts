import { describe, expect, it } from 'vitest';
import { XK_BACKSPACE, XK_RETURN, editKeysyms, keysymOf } from './text-input-keys.js';

const chars = (s: string) => [...s].map(keysymOf);

describe('keysymOf', () => {
  it('Latin-1 characters are their code points, others Unicode keysyms', () => {
    expect(keysymOf('a')).toBe(0x61);
    expect(keysymOf('é')).toBe(0xe9);
    expect(keysymOf('ñ')).toBe(0xf1);
    expect(keysymOf('€')).toBe(0x010020ac);
    expect(keysymOf('😀')).toBe(0x0101f600);
    expect(keysymOf('\n')).toBe(XK_RETURN);
  });
});

describe('editKeysyms (an Android keyboard composing a word in place)', () => {
  it('types only what a composition added', () => {
    expect(editKeysyms('', 'h')).toEqual(chars('h'));
    expect(editKeysyms('hel', 'hell')).toEqual(chars('l'));
    expect(editKeysyms('hell', 'hello ')).toEqual(chars('o '));
  });

  it('a correction goes back to where the words differ and types the rest', () => {
    expect(editKeysyms('say teh', 'say the')).toEqual([XK_BACKSPACE, XK_BACKSPACE, ...chars('he')]);
  });

  it('deletions are Backspaces, counted in characters, not UTF-16 units', () => {
    expect(editKeysyms('abc', 'ab')).toEqual([XK_BACKSPACE]);
    expect(editKeysyms('ok 😀', 'ok ')).toEqual([XK_BACKSPACE]);
  });

  it('the same text sends nothing', () => {
    expect(editKeysyms('señor', 'señor')).toEqual([]);
  });
});
