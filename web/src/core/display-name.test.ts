import { describe, expect, it } from 'vitest';
import { MAX_NAME_CHARS, rememberName, rememberedName } from './display-name.js';

const memory = (init: Record<string, string> = {}) => {
  const m = new Map(Object.entries(init));
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
};

describe('remembered display name', () => {
  it('round-trips a name, trimmed', () => {
    const s = memory();
    expect(rememberedName(s)).toBeNull();
    rememberName('  alice ', s);
    expect(rememberedName(s)).toBe('alice');
  });

  it('treats blank, too long, or unreadable storage as no name (the page asks)', () => {
    expect(rememberedName(memory({ 'boxroom.displayName': '   ' }))).toBeNull();
    expect(rememberedName(memory({ 'boxroom.displayName': 'x'.repeat(MAX_NAME_CHARS + 1) }))).toBeNull();
    const broken = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(rememberedName(broken)).toBeNull();
    expect(() => rememberName('bob', broken)).not.toThrow();
  });
});
