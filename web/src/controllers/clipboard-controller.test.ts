import { describe, expect, it } from 'vitest';
import type { ReactiveControllerHost } from 'lit';
import { ClipboardController } from './clipboard-controller.js';

function setup(o: { focused?: boolean; writeFails?: boolean; connected?: boolean } = {}) {
  const written: string[] = [];
  const sent: string[] = [];
  const host = { addController: () => {}, requestUpdate: () => {} } as unknown as ReactiveControllerHost;
  const c = new ClipboardController(host, {
    send: (t) => {
      sent.push(t);
      return o.connected ?? true;
    },
    clipboard: {
      writeText: async (t: string) => {
        if (o.writeFails) throw new Error('NotAllowedError');
        written.push(t);
      },
    },
    hasFocus: () => o.focused ?? true,
  });
  return { c, written, sent };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('ClipboardController', () => {
  it("puts the room's copy on the device's clipboard when allowed, and always in the panel", async () => {
    const t = setup();
    t.c.handle({ type: 'clipboard', seq: 1, text: 'Grüße €✓ 日本' });
    await tick();
    expect(t.written).toEqual(['Grüße €✓ 日本']);
    expect([t.c.lastCopied, t.c.onDevice]).toEqual(['Grüße €✓ 日本', true]);

    for (const o of [{ focused: false }, { writeFails: true }]) {
      const u = setup(o);
      u.c.handle({ type: 'clipboard', seq: 1, text: 'held' });
      await tick();
      expect([u.c.lastCopied, u.c.onDevice]).toEqual(['held', false]);
    }
  });

  it('resolves pastes in order with the room answers; a refusal says why', async () => {
    const t = setup();
    const first = t.c.paste('one');
    const second = t.c.paste('two');
    t.c.handle({ type: 'clipboard/pasted', seq: 1, bytes: 3 });
    t.c.handle({
      type: 'clipboard/refused',
      seq: 1,
      direction: 'in',
      reason: 'policy',
      message: "the room's owner turned paste-in off",
    });
    expect(await first).toBe(true);
    expect(await second).toBe(false);
    expect(t.c.notice).toBe("Not pasted into the room: the room's owner turned paste-in off");
    expect(t.sent).toEqual(['one', 'two']);
  });

  it('refuses too large a paste and a paste without a session, without sending', async () => {
    const t = setup();
    expect(await t.c.paste('€'.repeat(50_000))).toBe(false);
    expect(t.c.notice).toMatch(/limited to 128 KiB/);
    expect(t.sent).toEqual([]);
    const off = setup({ connected: false });
    expect(await off.c.paste('x')).toBe(false);
    expect(off.c.notice).toBe('Not pasted: not connected to the room');
  });

  it('a refused copy-out is a notice, not an answer to a paste', async () => {
    const t = setup();
    const p = t.c.paste('x');
    t.c.handle({ type: 'clipboard/refused', seq: 1, direction: 'out', reason: 'policy', message: 'off' });
    expect(t.c.notice).toBe('Not copied out: off');
    t.c.handle({ type: 'clipboard/pasted', seq: 1, bytes: 1 });
    expect(await p).toBe(true);
  });
});
