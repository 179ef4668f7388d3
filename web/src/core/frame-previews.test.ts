import { describe, expect, it } from 'vitest';
import { FramePreviews } from './frame-previews.js';

function setup(opts: { max?: number; stepS?: number; fail?: boolean } = {}) {
  const asked: number[] = [];
  const pending: Array<() => void> = [];
  const revoked: string[] = [];
  const previews = new FramePreviews({
    stepS: opts.stepS ?? 1,
    max: opts.max ?? 10,
    fetchFrame: (t) => {
      asked.push(t);
      return new Promise<Blob>((resolve, reject) =>
        pending.push(() => (opts.fail ? reject(new Error('404')) : resolve(new Blob([String(t)])))),
      );
    },
    urls: { create: (b) => `blob:${asked.at(-1)}:${b.size}`, revoke: (u) => revoked.push(u) },
  });
  const answer = async () => {
    pending.shift()?.();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { previews, asked, revoked, answer };
}

describe('FramePreviews', () => {
  it('rounds times to the step and serves a second wish for the same step from the cache', async () => {
    const { previews, asked, answer } = setup({ stepS: 2 });
    expect(previews.key(4.9)).toBe(4);
    expect(previews.key(5)).toBe(6);
    const first = previews.preview(4.6);
    await answer();
    expect(await first).toBe('blob:4:1');
    expect(await previews.preview(3.2)).toBe('blob:4:1');
    expect(asked).toEqual([4]);
  });

  it('asks one at a time and only for the newest wish', async () => {
    const { previews, asked, answer } = setup();
    const a = previews.preview(1);
    const b = previews.preview(2);
    const c = previews.preview(3);
    expect(await b).toBeNull(); // overtaken while waiting
    await answer();
    expect(await a).toBe('blob:1:1');
    await answer();
    expect(await c).toBe('blob:3:1');
    expect(asked).toEqual([1, 3]);
  });

  it('keeps at most `max`, revoking the least recently used', async () => {
    const { previews, revoked, answer } = setup({ max: 2 });
    for (const t of [1, 2]) {
      const p = previews.preview(t);
      await answer();
      await p;
    }
    await previews.preview(1); // 1 is used again: 2 is now the oldest
    const p = previews.preview(3);
    await answer();
    await p;
    expect(revoked).toEqual(['blob:2:1']);
    previews.close();
    expect(revoked.sort()).toEqual(['blob:1:1', 'blob:2:1', 'blob:3:1']);
    expect(await previews.preview(5)).toBeNull();
  });

  it('answers null when the frame cannot be had, and asks again next time', async () => {
    const { previews, asked, answer } = setup({ fail: true });
    const p = previews.preview(7);
    await answer();
    expect(await p).toBeNull();
    const q = previews.preview(7);
    await answer();
    expect(await q).toBeNull();
    expect(asked).toEqual([7, 7]);
  });
});
