import { describe, expect, it } from 'vitest';
import { KeyedSerial } from './keyed-serial.js';

const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('KeyedSerial', () => {
  it('runs one task of a key at a time, in order; a failure does not stop the next; keys run freely', async () => {
    const s = new KeyedSerial();
    const log: string[] = [];
    const task =
      (name: string, ms: number, fail = false) =>
      async () => {
        log.push(`${name}+`);
        await later(ms);
        log.push(`${name}-`);
        if (fail) throw new Error(name);
        return name;
      };
    const a1 = s.run('a', task('a1', 30, true));
    const a2 = s.run('a', task('a2', 1));
    const b1 = s.run('b', task('b1', 1));
    await expect(a1).rejects.toThrow('a1');
    expect(await a2).toBe('a2');
    expect(await b1).toBe('b1');
    expect(log.indexOf('a1-')).toBeLessThan(log.indexOf('a2+'));
    expect(log.indexOf('b1-')).toBeLessThan(log.indexOf('a1-'));
    await later(0);
    expect((s as unknown as { tails: Map<string, unknown> }).tails.size).toBe(0);
  });
});
