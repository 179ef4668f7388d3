import { describe, expect, it } from 'vitest';
import { MODIFIER_KEYS, StickyModifiers, type KeyStroke } from './sticky-modifiers.js';

const CTRL = MODIFIER_KEYS.ctrl.keysym;
const ALT = MODIFIER_KEYS.alt.keysym;
const ESC = 0xff1b;
const events = (strokes: KeyStroke[]) => strokes.map((k) => `${k.down ? '+' : '-'}${k.keysym.toString(16)}`);
const hex = (k: number) => k.toString(16);

describe('StickyModifiers (the key bar’s Ctrl and Alt)', () => {
  it('a tap presses the modifier in the room at once and lets it go after the next key', () => {
    const m = new StickyModifiers();
    expect(events(m.toggle('ctrl'))).toEqual([`+${hex(CTRL)}`]);
    expect(m.latch('ctrl')).toBe('once');
    expect(events(m.tap(0x63, 'KeyC'))).toEqual(['+63', '-63', `-${hex(CTRL)}`]);
    expect(m.latch('ctrl')).toBe('off');
    // the next key is plain
    expect(events(m.tap(0x76, 'KeyV'))).toEqual(['+76', '-76']);
  });

  it('a second tap locks it for every key until a third tap releases it', () => {
    const m = new StickyModifiers();
    m.toggle('alt');
    expect(m.toggle('alt')).toEqual([]);
    expect(m.latch('alt')).toBe('locked');
    expect(events(m.tap(ESC, 'Escape'))).toEqual(['+ff1b', '-ff1b']);
    expect(events(m.tap(ESC, 'Escape'))).toEqual(['+ff1b', '-ff1b']);
    expect(events(m.toggle('alt'))).toEqual([`-${hex(ALT)}`]);
    expect(m.latch('alt')).toBe('off');
  });

  it('Ctrl+Alt together: a one-shot Ctrl goes after the key, a locked Alt stays', () => {
    const m = new StickyModifiers();
    m.toggle('alt');
    m.toggle('alt');
    m.toggle('ctrl');
    expect(events(m.tap(0xff51, 'ArrowLeft'))).toEqual(['+ff51', '-ff51', `-${hex(CTRL)}`]);
    expect(m.latch('alt')).toBe('locked');
  });

  it('a click ends a one-shot too (keyDone), and releaseAll lets go of everything once', () => {
    const m = new StickyModifiers();
    m.toggle('ctrl');
    expect(events(m.keyDone())).toEqual([`-${hex(CTRL)}`]);
    expect(m.keyDone()).toEqual([]);
    m.toggle('ctrl');
    m.toggle('alt');
    m.toggle('alt');
    expect(events(m.releaseAll())).toEqual([`-${hex(CTRL)}`, `-${hex(ALT)}`]);
    expect(m.releaseAll()).toEqual([]);
    expect([m.latch('ctrl'), m.latch('alt')]).toEqual(['off', 'off']);
  });

  it('the modifiers are sent as the left keys noVNC would send', () => {
    const m = new StickyModifiers();
    expect(m.toggle('ctrl')).toEqual([{ keysym: 0xffe3, code: 'ControlLeft', down: true }]);
    expect(m.toggle('alt')).toEqual([{ keysym: 0xffe9, code: 'AltLeft', down: true }]);
  });
});
